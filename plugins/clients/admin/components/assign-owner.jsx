// "Asignar Perfil Admin" (AdminJS bundles this file for the browser; it is not type-checked): the
// profile with this e-mail and mobile becomes the customer's main profile and can enter its PCC.
// One form, one button: the box says what will happen; the POST goes through ApiClient (same origin).
import React, { useState } from 'react'
import { Box, Button, Input, Label, MessageBox, Text } from '@adminjs/design-system'
import { ApiClient, useActionResponseHandler } from 'adminjs'
import CustomerHeader from './header.jsx'

const api = new ApiClient()

const ClientsAssignOwner = (props) => {
  const { resource, record, action } = props
  const [values, setValues] = useState({ email: '', mobile: '' })
  const [busy, setBusy] = useState(false)
  const handle = useActionResponseHandler()
  const submit = async (event) => {
    event.preventDefault()
    const data = new FormData()
    data.set('email', values.email)
    data.set('mobile', values.mobile)
    setBusy(true)
    try { handle(await api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name, data })) } finally { setBusy(false) }
  }
  const set = (k) => (e) => setValues({ ...values, [k]: e.target.value })
  return (
    <Box>
      <CustomerHeader {...props} subtitle="Asignar Perfil Admin" />
      <Box variant="white" as="form" onSubmit={submit}>
        <Text mb="lg">Perfil principal actual: <strong>{record.params.owner || 'ninguno'}</strong></Text>
        <Text mb="lg">Indique el correo y el móvil del perfil que administrará la cuenta del cliente. La persona debe haber creado antes su perfil; ambos datos deben coincidir.</Text>
        <Box mb="lg"><Label htmlFor="f-email" required>Correo del perfil</Label><Input id="f-email" name="email" type="email" value={values.email} onChange={set('email')} width={1 / 2} autoComplete="off" /></Box>
        <Box mb="lg"><Label htmlFor="f-mobile" required>Móvil del perfil</Label><Input id="f-mobile" name="mobile" value={values.mobile} onChange={set('mobile')} width={1 / 2} autoComplete="off" /></Box>
        <MessageBox mb="xl" variant="info" message="Al pulsar «Asignar perfil principal», ese perfil pasa a controlar la cuenta del cliente y podrá entrar a su Panel de Control del Cliente; el perfil principal anterior, si lo hay, queda vinculado como perfil adicional. Un perfil que administra una Cuenta Maestra no puede ser perfil principal." />
        <Button type="submit" variant="contained" disabled={busy}>Asignar perfil principal</Button>
      </Box>
    </Box>
  )
}

export default ClientsAssignOwner
