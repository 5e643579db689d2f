// A CM page of the notes plugin: reads its handler's answer through ApiClient.getPage.
import React, { useEffect, useState } from 'react'
import { Box, H2, Text } from '@adminjs/design-system'
import { ApiClient } from 'adminjs'

const api = new ApiClient()

const Summary = () => {
  const [total, setTotal] = useState(null)
  useEffect(() => { api.getPage({ pageName: 'notesSummary' }).then((res) => setTotal(res.data.total)) }, [])
  return (
    <Box variant="white">
      <H2>Resumen de notas</H2>
      <Text>{total === null ? 'Cargando…' : `Usted tiene ${total} notas.`}</Text>
    </Box>
  )
}

export default Summary
