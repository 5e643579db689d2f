// Clientes → Abonar puntos, for one customer or a selection (AdminJS bundles this file for the
// browser; it is not type-checked). Points and amount per customer; "Continuar" shows the one
// confirmation (totals, customers by NIC); "Abonar puntos" is the one POST, with this form's
// idempotency key, and the answer names what each customer received.
import React, { useEffect, useState } from 'react'
import { Box, Button, H2, Input, Label, MessageBox, Text, Table, TableHead, TableBody, TableRow, TableCell } from '@adminjs/design-system'
import { ApiClient, Breadcrumbs, useNotice } from 'adminjs'
import { pesos, points, newKey } from './format.js'

const api = new ApiClient()
const nowrap = { whiteSpace: 'nowrap' }
/** "1,500.50" or "1500.5" → hundredths, or null. */
const hundredths = (v) => {
  const s = String(v || '').replace(/[\s$,]/g, '')
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(s)) return null
  const [i, d = ''] = s.split('.')
  return Number(i) * 100 + Number(d.padEnd(2, '0'))
}

/** The page's own header (AdminJS's put the customer's many action buttons over its title). */
const Header = ({ resource, action, record, count }) => (
  <Box mb="xl">
    <Breadcrumbs resource={resource} actionName={action.name} record={record} />
    <H2 mt="lg" mb="sm">Abonar puntos</H2>
    <Text color="grey60">{record ? `${record.params.legalName} · NIC ${record.params.nic}` : `${count} ${count === 1 ? 'cliente seleccionado' : 'clientes seleccionados'}`}</Text>
  </Box>
)

const GivePoints = ({ action, resource, record, records }) => {
  const targets = records || [record]
  const [rows, setRows] = useState(() => targets.map((r) => ({ id: r.id, nic: r.params.nic, name: r.params.legalName, quantity: '', amount: '' })))
  const [all, setAll] = useState({ quantity: '', amount: '' })
  const [step, setStep] = useState('form')
  const [key, setKey] = useState(() => newKey())
  const [result, setResult] = useState(null)
  const [error, setError] = useState('')
  const [busy, setBusy] = useState(false)
  const [mine, setMine] = useState('')
  const notice = useNotice()
  // The distributor's points, read by the action's GET (which changes nothing).
  useEffect(() => {
    const params = { resourceId: resource.id, actionName: action.name }
    const read = records ? api.bulkAction({ ...params, recordIds: records.map((r) => r.id) }) : api.recordAction({ ...params, recordId: record.id })
    read.then((res) => setMine(res.data.points || '')).catch(() => setMine(''))
  }, [])
  const setRow = (i, name, value) => setRows(rows.map((r, j) => (j === i ? { ...r, [name]: value } : r)))
  const setAllField = (name, value) => { setAll({ ...all, [name]: value }); setRows(rows.map((r) => ({ ...r, [name]: value }))) }

  const parsed = rows.map((r) => ({ ...r, q: hundredths(r.quantity), a: hundredths(r.amount) }))
  const valid = parsed.every((r) => r.q !== null && r.q > 0 && r.a !== null)
  const totalPoints = parsed.reduce((n, r) => n + (r.q || 0), 0)
  const totalAmount = parsed.reduce((n, r) => n + (r.a || 0), 0)

  const send = async () => {
    const data = new FormData()
    data.set('idempotencyKey', key)
    if (record && !records) { data.set('quantity', rows[0].quantity.replace(/[\s$,]/g, '')); data.set('amount', rows[0].amount.replace(/[\s$,]/g, '')) }
    else rows.forEach((r, i) => { data.set(`items.${i}.customerId`, r.id); data.set(`items.${i}.quantity`, r.quantity.replace(/[\s$,]/g, '')); data.set(`items.${i}.amount`, r.amount.replace(/[\s$,]/g, '')) })
    setBusy(true)
    try {
      const params = { resourceId: resource.id, actionName: action.name, data }
      const res = records ? await api.bulkAction({ ...params, recordIds: records.map((r) => r.id) }) : await api.recordAction({ ...params, recordId: record.id })
      if (res.data.notice) notice(res.data.notice)
      if (res.data.result) { setResult(res.data.result); setStep('done'); setKey(newKey()) } else { setError(res.data.notice ? res.data.notice.message : 'No se pudo abonar.'); setStep('form') }
    } finally { setBusy(false) }
  }

  const header = <Header resource={resource} action={action} record={records ? null : record} count={targets.length} />
  if (step === 'done') {
    return (
      <Box>{header}<Box variant="white" data-testid="give-points-result">
        <MessageBox mb="lg" variant="success" message="Puntos abonados">
          {result.lines.map((l) => <Text key={l}>{l}</Text>)}
        </MessageBox>
        <Text>Sus puntos ahora: <strong style={nowrap}>{result.points}</strong></Text>
      </Box></Box>
    )
  }

  return (
    <Box>{header}<Box variant="white" data-testid="give-points">
      <Text mb="lg">Abone puntos de los suyos a {targets.length === 1 ? 'este cliente' : `estos ${targets.length} clientes`} e indique el importe que les cobra (MXN, IVA incluido; 1 punto = 1 peso). Sus puntos: <strong style={nowrap}>{mine || '…'}</strong></Text>
      {error ? <MessageBox mb="lg" variant="danger" message={error} data-testid="give-points-error" /> : null}
      {targets.length > 1 && step === 'form'
        ? (
          <Box flex flexDirection="row" mb="lg" style={{ gap: '16px' }}>
            <Box><Label htmlFor="all-quantity">Puntos para todos</Label><Input id="all-quantity" value={all.quantity} onChange={(e) => setAllField('quantity', e.target.value)} style={{ width: '180px' }} /></Box>
            <Box><Label htmlFor="all-amount">Importe para todos (MXN)</Label><Input id="all-amount" value={all.amount} onChange={(e) => setAllField('amount', e.target.value)} style={{ width: '180px' }} /></Box>
          </Box>
        )
        : null}
      <Table mb="xl">
        <TableHead><TableRow><TableCell>NIC</TableCell><TableCell>Cliente</TableCell><TableCell>Puntos</TableCell><TableCell>Importe (MXN)</TableCell></TableRow></TableHead>
        <TableBody>
          {rows.map((r, i) => (
            <TableRow key={r.id}>
              <TableCell style={nowrap}>{r.nic}</TableCell>
              <TableCell>{r.name}</TableCell>
              <TableCell>{step === 'form' ? <Input aria-label={`Puntos para ${r.nic}`} value={r.quantity} onChange={(e) => setRow(i, 'quantity', e.target.value)} style={{ width: '160px' }} /> : <span style={nowrap}>{points(parsed[i].q)}</span>}</TableCell>
              <TableCell>{step === 'form' ? <Input aria-label={`Importe para ${r.nic}`} value={r.amount} onChange={(e) => setRow(i, 'amount', e.target.value)} style={{ width: '160px' }} /> : <span style={nowrap}>{pesos(parsed[i].a)}</span>}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {step === 'form'
        ? <Button variant="contained" disabled={!valid} onClick={() => { setError(''); setStep('confirm') }}>Continuar</Button>
        : (
          <Box data-testid="give-points-confirm">
            <MessageBox mb="lg" variant="warning" message={`Se abonarán ${points(totalPoints)} ${rows.length === 1 ? `al cliente NIC ${rows[0].nic}` : `a ${rows.length} clientes`} por ${pesos(totalAmount)}.`}>
              <Text>{action.guard}</Text>
            </MessageBox>
            <Button variant="contained" mr="default" disabled={busy} onClick={send}>Abonar puntos</Button>
            <Button variant="outlined" disabled={busy} onClick={() => setStep('form')}>Volver</Button>
          </Box>
        )}
    </Box></Box>
  )
}

export default GivePoints
