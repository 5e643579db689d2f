// A distributor's audit log in the CM (AdminJS bundles this file for the browser; it is not
// type-checked): each state change with who made it, before, after and when.
import React, { useEffect, useState } from 'react'
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system'
import { ApiClient } from 'adminjs'

const api = new ApiClient()
const STATES = { unvalidated: 'Sin validar', inactive: 'Sin activar', active: 'Activo', suspended: 'Suspendido', expired: 'Vencido', cancelled: 'Cancelado' }
const ACTIONS = {
  'core.distributorCreated': 'Alta', 'core.distributorStateChanged': 'Cambio de estado', 'core.distributorMoved': 'Cambio de distribuidor padre',
  'core.memberAdded': 'Usuario admitido', 'core.memberRemoved': 'Usuario retirado', 'core.distributorPurged': 'Depuración', 'distributors.updated': 'Datos editados',
}
// What a person reads of a change: Spanish labels, local dates; ids (the parent's) are not shown.
const LABELS = { cmExpiresAt: 'Vencimiento del CM', legalName: 'Razón social', rfc: 'RFC', contactName: 'Contacto', contactEmail: 'Correo del contacto', contactPhone: 'Teléfono del contacto' }
const zone = { timeZone: 'America/Mexico_City' }
const WHEN = new Intl.DateTimeFormat('es-MX', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false, ...zone })
const DAY = new Intl.DateTimeFormat('es-MX', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const day = (x) => (x ? DAY.format(new Date(`${String(x).slice(0, 10)}T00:00:00Z`)).replace('.', '') : '—')
const describe = (v) => {
  if (!v || typeof v !== 'object') return ''
  return Object.entries(v).filter(([k]) => k === 'state' || LABELS[k])
    .map(([k, x]) => (k === 'state' ? STATES[x] || x : `${LABELS[k]}: ${k === 'cmExpiresAt' ? day(x) : x ?? '—'}`)).join(', ')
}

const DistributorHistory = ({ resource, action, record }) => {
  const [entries, setEntries] = useState(null)
  useEffect(() => {
    api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name }).then((res) => setEntries(res.data.entries || []))
  }, [record.id])
  if (!entries) return <Box variant="white"><Text>Cargando…</Text></Box>
  return (
    <Box variant="white">
      <Text mb="lg" fontWeight="bold">{record.params.legalName}</Text>
      {entries.length === 0 ? <Text>Sin movimientos.</Text> : (
        <Table data-testid="distributor-history">
          <TableHead><TableRow><TableCell>Fecha</TableCell><TableCell>Acción</TableCell><TableCell>Antes</TableCell><TableCell>Después</TableCell><TableCell>Quién</TableCell></TableRow></TableHead>
          <TableBody>
            {entries.map((e, i) => (
              <TableRow key={i}>
                <TableCell style={{ whiteSpace: 'nowrap' }}>{WHEN.format(new Date(e.at)).replace('.', '')}</TableCell>
                <TableCell>{ACTIONS[e.action] || e.action}</TableCell>
                <TableCell>{describe(e.before)}</TableCell>
                <TableCell>{describe(e.after)}</TableCell>
                <TableCell>{e.actor || 'Sistema'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  )
}

export default DistributorHistory
