// Editing a customer (AdminJS bundles this file for the browser): AdminJS's own form (the contacts are
// its mixed properties, so each is a section), under a header titled with the customer's name.
import React from 'react'
import { Box } from '@adminjs/design-system'
import { Edit } from 'adminjs'
import CustomerHeader from './header.jsx'

const ClientsEdit = (props) => (
  <Box>
    <CustomerHeader {...props} subtitle="Editar datos" />
    <Edit {...props} />
  </Box>
)

export default ClientsEdit
