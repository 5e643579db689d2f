// The Clientes list (AdminJS bundles this file for the browser; it is not type-checked): AdminJS's own
// list under an "Ordenar por" selector with the manual's 12 orders, the default one stated. Each
// order is a column sort (sortBy + direction in the URL), so the column headers agree with it.
import React from 'react'
import { useLocation, useNavigate } from 'react-router-dom'
import { Box, Label, Text } from '@adminjs/design-system'
import { List } from 'adminjs'

// Narrower cell padding: at 1280 px and at 1440 px with the sidebar open every column fits, and NIC, RFC, phones and dates never wrap.
const COMPACT = '.clients-list td, .clients-list th { padding-left: 7px !important; padding-right: 7px !important; }'

// [key, sortBy, direction, label] in the manual's order ("Desde la sección de clientes, puede ordenar por").
const ORDERS = [
  ['legalName', 'legalName', 'asc', 'Nombre del cliente'],
  ['nic', 'nic', 'asc', 'NIC'],
  ['-stampBalance', 'stampBalance', 'desc', 'Mayor saldo de timbres'],
  ['stampBalance', 'stampBalance', 'asc', 'Menor saldo de timbres'],
  ['-points', 'points', 'desc', 'Mayor saldo de puntos'],
  ['points', 'points', 'asc', 'Menor saldo de puntos'],
  ['-lastStampPurchaseAt', 'lastStampPurchaseAt', 'desc', 'Compra de timbres más reciente'],
  ['lastStampPurchaseAt', 'lastStampPurchaseAt', 'asc', 'Compra de timbres más antigua'],
  ['-createdAt', 'createdAt', 'desc', 'Fecha de alta más reciente'],
  ['createdAt', 'createdAt', 'asc', 'Fecha de alta más antigua'],
  ['-lastStampedAt', 'lastStampedAt', 'desc', 'Última emisión más reciente'],
  ['lastStampedAt', 'lastStampedAt', 'asc', 'Última emisión más antigua'],
]
export const DEFAULT_ORDER = '-createdAt'

const ClientsList = (props) => {
  const { resource } = props
  const location = useLocation()
  const navigate = useNavigate()
  const query = new URLSearchParams(location.search)
  // Only the orders whose column the distributor's tier shows (a figure of a plugin outside it is not sortable).
  const columns = new Set(resource.listProperties.map((p) => p.propertyPath))
  const orders = ORDERS.filter(([, sortBy]) => columns.has(sortBy))
  const sortBy = query.get('sortBy')
  const current = sortBy ? `${query.get('direction') === 'desc' ? '-' : ''}${sortBy}` : DEFAULT_ORDER
  const choose = (value) => {
    const [, by, direction] = ORDERS.find(([k]) => k === value)
    query.set('sortBy', by)
    query.set('direction', direction)
    query.delete('page')
    navigate({ search: query.toString() })
  }
  return (
    <>
      <Box flex flexDirection="row" alignItems="center" mb="lg" style={{ gap: '12px' }}>
        <Label htmlFor="clients-order" mb="0">Ordenar por</Label>
        <select id="clients-order" value={orders.some(([k]) => k === current) ? current : ''} onChange={(e) => choose(e.target.value)}
          style={{ padding: '6px 8px', border: '1px solid #c0c0ca', borderRadius: '4px', background: '#fff', fontSize: '14px' }}>
          {orders.some(([k]) => k === current) ? null : <option value="">(orden de la columna elegida)</option>}
          {orders.map(([k, , , label]) => <option key={k} value={k}>{label}{k === DEFAULT_ORDER ? ' (predeterminado)' : ''}</option>)}
        </select>
        <Text variant="sm" color="grey60">Sin elegir, la lista va por fecha de alta, la más reciente primero.</Text>
      </Box>
      <style>{COMPACT}</style>
      <div className="clients-list"><List {...props} /></div>
    </>
  )
}

export default ClientsList
