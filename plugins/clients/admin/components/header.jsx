// The header of a customer's pages (show, edit, Asignar Perfil Admin), titled with the customer's name
// instead of AdminJS's "Ver"/"Editar", with the record's other actions as buttons. Bundled for the browser.
import React from 'react'
import { Box, Button, H2, Icon, Text } from '@adminjs/design-system'
import { ActionButton, Breadcrumbs, useTranslation } from 'adminjs'

const CustomerHeader = ({ resource, record, action, subtitle }) => {
  const { translateAction } = useTranslation()
  const others = (record.recordActions || []).filter((a) => a.name !== action.name)
  return (
    <Box mb="xl">
      <Breadcrumbs resource={resource} actionName={action.name} record={record} />
      <Box flex flexDirection="row" flexWrap="wrap" alignItems="flex-start" style={{ gap: '16px' }} mt="lg">
        <Box flexGrow={1}>
          <H2 mb="sm" data-testid="record-title">{record.params.legalName}</H2>
          <Text color="grey60">NIC {record.params.nic}{subtitle ? ` · ${subtitle}` : ''}</Text>
        </Box>
        <Box flex flexDirection="row" flexWrap="wrap" style={{ gap: '8px' }}>
          {others.map((a) => (
            <ActionButton key={a.name} action={a} resourceId={resource.id} recordId={record.id}>
              <Button as="a" size="sm" variant={a.variant === 'danger' ? 'danger' : 'outlined'}>
                {a.icon ? <Icon icon={a.icon} /> : null}{translateAction(a.label, resource.id)}
              </Button>
            </ActionButton>
          ))}
        </Box>
      </Box>
    </Box>
  )
}

export default CustomerHeader
