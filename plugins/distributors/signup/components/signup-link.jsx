// The CM page "Enlace de alta" (AdminJS bundles this file for the browser; it is not type-checked).
import React, { useEffect, useState } from 'react'
import { Box, Button, H2, Input, Label, MessageBox, Text } from '@adminjs/design-system'
import { ApiClient } from 'adminjs'

const api = new ApiClient()

const SignupLink = () => {
  const [data, setData] = useState(null)
  const [busy, setBusy] = useState(false)
  useEffect(() => { api.getPage({ pageName: 'signupLink' }).then((r) => setData(r.data)) }, [])
  const rotate = async () => {
    if (!window.confirm('¿Revocar el enlace actual? Quien tenga el anterior ya no podrá darse de alta con él.')) return
    setBusy(true)
    try { setData((await api.getPage({ pageName: 'signupLink', method: 'POST', data: {} })).data) } finally { setBusy(false) }
  }
  return (
    <Box variant="white" m="xl" p="xl">
      <H2>Enlace de alta</H2>
      <Text mb="lg">Publique este enlace en su sitio web: quien lo abra podrá crear su perfil y una cuenta de distribuidor bajo la suya, en estado «Sin validar» hasta que verifique su correo y su móvil. Después, usted la activa en Distribuidores.</Text>
      {!data ? <Text>Cargando…</Text> : data.error ? <MessageBox variant="danger" message={data.error} /> : (
        <>
          {data.notice ? <MessageBox variant="success" message={data.notice} mb="lg" /> : null}
          <Label htmlFor="signup-url">Enlace (versión {data.version})</Label>
          <Input id="signup-url" value={data.url} readOnly width={1} onFocus={(e) => e.target.select()} />
          <Box mt="lg"><Button variant="danger" disabled={busy} onClick={rotate}>Revocar y generar un enlace nuevo</Button></Box>
        </>
      )}
    </Box>
  )
}

export default SignupLink
