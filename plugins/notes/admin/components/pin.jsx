// The "Fijar" action's screen: says what will happen, and one button confirms it (a POST).
import React, { useState } from 'react'
import { Box, Button, Text } from '@adminjs/design-system'
import { ApiClient, useNotice } from 'adminjs'

const api = new ApiClient()

const Pin = ({ record, resource }) => {
  const [pinned, setPinned] = useState(!!record.params.pinned)
  const notice = useNotice()
  const confirm = async () => {
    const res = await api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'pin', method: 'post', data: {} })
    if (res.data.notice) notice(res.data.notice)
    if (res.data.record) setPinned(!!res.data.record.params.pinned)
  }
  return (
    <Box variant="white">
      <Text mb="lg">{pinned ? 'La nota dejará de estar fijada.' : 'La nota quedará fijada al inicio de la lista del cliente.'}</Text>
      <Button variant="primary" onClick={confirm}>{pinned ? 'Desfijar' : 'Fijar'}</Button>
    </Box>
  )
}

export default Pin
