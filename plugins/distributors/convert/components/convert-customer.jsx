// "Convertir en distribuidor" on a Clientes record (AdminJS bundles this file; it is not type-checked).
import React, { useState } from 'react'
import { Box, Button, Text } from '@adminjs/design-system'
import { ApiClient, useActionResponseHandler } from 'adminjs'

const api = new ApiClient()

const ConvertCustomer = ({ action, resource, record }) => {
  const [busy, setBusy] = useState(false)
  const handle = useActionResponseHandler()
  const send = async () => {
    setBusy(true)
    try { handle(await api.recordAction({ resourceId: resource.id, actionName: action.name, recordId: record.id, data: new FormData() })) } finally { setBusy(false) }
  }
  return (
    <Box variant="white" p="xl">
      <Text mb="lg">Se crea un distribuidor bajo su cuenta cuyo primer usuario es el perfil principal de <strong>{record.params.legalName}</strong> (NIC {record.params.nic}).</Text>
      <Text mb="lg">El cliente sigue siendo suyo, con su NIC, sus cuentas de timbrado y sus saldos, y queda como la cuenta propia del nuevo distribuidor. La cuenta nace «Sin validar» o «Sin activar»; usted la activa en Distribuidores.</Text>
      <Button variant="primary" disabled={busy} onClick={send}>Convertir en distribuidor</Button>
    </Box>
  )
}

export default ConvertCustomer
