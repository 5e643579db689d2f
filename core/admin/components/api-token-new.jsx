// New API token (AdminJS bundles this file for the browser; it is not type-checked). The secret
// comes back once, in the action's answer, and stays on screen until the user leaves the page.
import React, { useState } from 'react'
import { Box, Button, Input, Label, MessageBox, Text } from '@adminjs/design-system'
import { ApiClient, useActionResponseHandler } from 'adminjs'

const api = new ApiClient()

const ApiTokenNew = ({ resource, action }) => {
  const [label, setLabel] = useState('')
  const [token, setToken] = useState(null)
  const [busy, setBusy] = useState(false)
  const handle = useActionResponseHandler()
  const submit = async (event) => {
    event.preventDefault()
    const data = new FormData()
    data.set('label', label)
    setBusy(true)
    try {
      const res = await api.resourceAction({ resourceId: resource.id, actionName: action.name, data })
      if (res.data.token) setToken(res.data.token)
      handle({ ...res, data: { ...res.data, redirectUrl: undefined } })
    } finally { setBusy(false) }
  }
  if (token) {
    return (
      <Box variant="white">
        <MessageBox variant="success" message="Token creado. Cópielo ahora: no se volverá a mostrar." mb="lg" />
        <Text mb="lg"><code data-testid="api-token" style={{ userSelect: 'all', fontSize: '16px' }}>{token}</code></Text>
        <Button as="a" href={`/admin/resources/${resource.id}`}>Ir a la lista de tokens</Button>
      </Box>
    )
  }
  return (
    <Box variant="white" as="form" onSubmit={submit}>
      <Text mb="lg">El token se muestra una sola vez, al crearlo; después solo se guarda su huella.</Text>
      <Box mb="lg">
        <Label htmlFor="f-label">Descripción</Label>
        <Input id="f-label" name="label" value={label} onChange={(e) => setLabel(e.target.value)} width={1 / 2} autoComplete="off" />
      </Box>
      <Button variant="contained" type="submit" disabled={busy}>Crear token</Button>
    </Box>
  )
}

export default ApiTokenNew
