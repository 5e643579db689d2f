// One transition of a distributor's account (AdminJS bundles this file for the browser; it is not
// type-checked). The action's page is its one confirmation: it says what will happen, and its button
// POSTs the action (a GET of the action changes nothing).
import React, { useState } from 'react'
import { Box, Button, MessageBox, Text } from '@adminjs/design-system'
import { ApiClient, useActionResponseHandler } from 'adminjs'

const api = new ApiClient()

const DistributorTransition = ({ resource, action, record }) => {
  const [busy, setBusy] = useState(false)
  const handle = useActionResponseHandler()
  const { confirm, button } = action.custom || {}
  const submit = async (event) => {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    try {
      const data = new FormData()
      data.set('confirmed', 'true')
      handle(await api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name, data }))
    } finally { setBusy(false) }
  }
  return (
    <Box variant="white" as="form" onSubmit={submit}>
      <Text mb="lg" fontWeight="bold">{record.params.legalName}</Text>
      <MessageBox variant={action.name === 'cancel' ? 'danger' : 'info'} message={confirm} mb="xl" />
      <Button variant="contained" type="submit" disabled={busy} data-testid="confirm-transition">{button}</Button>
      <Button as="a" ml="lg" variant="text" href={`/admin/resources/${resource.id}/records/${record.id}/show`}>Volver</Button>
    </Box>
  )
}

export default DistributorTransition
