// The forms of the Timbrado actions (AdminJS bundles this file for the browser; it is not type-checked).
// Every action posts its form through ApiClient (same origin: the CM's CSRF check passes); opening
// the form is a GET that changes nothing. The form itself is the one confirmation: its box says what
// will happen, and the button does it (no second browser confirm()).
import React, { useEffect, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { Box, Button, Input, Label, MessageBox, Text, Table, TableHead, TableBody, TableRow, TableCell } from '@adminjs/design-system'
import { ApiClient, useActionResponseHandler } from 'adminjs'

const api = new ApiClient()
const newKey = () => (window.crypto && window.crypto.randomUUID ? window.crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`)

const PASSWORD_FIELDS = [
  ['password', 'Nueva contraseña (8 a 100 caracteres)', 'password'],
  ['passwordConfirmation', 'Confirme la contraseña', 'password'],
]

const FORMS = {
  transfer: { intro: 'Transfiera timbres de su inventario a esta cuenta.', fields: [['quantity', 'Cantidad de timbres', 'number'], ['amount', 'Importe de la venta (MXN, IVA incluido; vacío: cantidad × precio de timbre del cliente o precio a granel)', 'text']], submit: 'Transferir timbres' },
  block: { intro: 'Mientras esté bloqueada, ninguna aplicación podrá timbrar con esta cuenta.', fields: [], submit: 'Bloquear' },
  unblock: { intro: 'Las aplicaciones configuradas con esta cuenta volverán a timbrar.', fields: [], submit: 'Reactivar' },
  resetPassword: { intro: 'Las aplicaciones que usan esta cuenta deberán configurarse con la nueva contraseña.', fields: PASSWORD_FIELDS, submit: 'Restablecer contraseña' },
  payRenewal: { intro: 'Se cobra de sus puntos la renovación anual de esta CTI ilimitada y su vigencia se extiende un año. Es irreversible.', fields: [], submit: 'Pagar renovación' },
  revealPassword: { intro: 'La contraseña generada al crear la cuenta se muestra una sola vez.', fields: [], submit: 'Mostrar contraseña inicial' },
  autoSale: {
    intro: 'Cuando el saldo de cada cuenta seleccionada llegue al mínimo, se le venden automáticamente los timbres indicados desde su inventario.',
    fields: [['minimum', 'Mínimo de timbres', 'number'], ['quantity', 'Timbres por recarga', 'number'], ['amount', 'Importe por recarga (MXN, IVA incluido)', 'text']],
    submit: 'Guardar venta automática',
  },
  createCti: {
    intro: 'Cree una cuenta de timbrado adicional para uno de sus clientes.',
    fields: [['nic', 'NIC del cliente', 'text'], ['type', 'Tipo', 'type'], ['id', 'Id de la CTI (opcional; se asigna uno si lo deja vacío)', 'text'], ...PASSWORD_FIELDS,
      ['validUntil', 'Vigencia (AAAA-MM-DD; solo ilimitada, por omisión un año)', 'date'], ['rfc', 'RFC emisor permitido (opcional; solo ilimitada)', 'text']],
    submit: 'Crear cuenta de timbrado',
  },
  massTransfer: { intro: 'Indique la cantidad y el importe para cada cuenta. La transferencia se aplica completa o no se aplica.', fields: [], submit: 'Aplicar transferencia masiva' },
}

const Field = ({ name, label, type, value, onChange }) => (
  <Box mb="lg">
    <Label htmlFor={`f-${name}`}>{label}</Label>
    {type === 'type'
      ? (
        <select id={`f-${name}`} name={name} value={value || 'standard'} onChange={(e) => onChange(name, e.target.value)} style={{ padding: '8px', minWidth: '240px' }}>
          <option value="standard">Estándar (saldo de timbres)</option>
          <option value="unlimited">Ilimitada (anual, se cobra en puntos)</option>
        </select>
      )
      : <Input id={`f-${name}`} name={name} type={type} value={value || ''} onChange={(e) => onChange(name, e.target.value)} width={1 / 2} autoComplete={type === 'password' ? 'new-password' : 'off'} />}
  </Box>
)

const Summary = ({ record }) => (
  <Box mb="xl">
    <Text>CTI <strong>{record.params.id}</strong> · Cliente (NIC) <strong>{record.params.customerNic}</strong>
      {record.params.balance !== null && record.params.balance !== undefined ? <> · Saldo <strong>{record.params.balance}</strong> timbres</> : null}
      {' · '}{record.params.active ? 'Activa' : 'Bloqueada'}</Text>
  </Box>
)

const digits = (v) => (/^\d{1,9}$/.test(String(v || '').trim()) ? Number(String(v).trim()) : null)

/** Accounts already at or below the minimum typed: saving sells to them at once, and the box says so. */
const AutoSaleNow = ({ records, values }) => {
  const minimum = digits(values.minimum)
  const quantity = digits(values.quantity)
  if (minimum === null || !quantity) return null
  const due = (records || []).filter((r) => typeof r.params.balance === 'number' && r.params.balance <= minimum)
  if (!due.length) return null
  const list = due.map((r) => `${r.params.id} (saldo ${r.params.balance})`).join(', ')
  const amount = String(values.amount || '').trim()
  return (
    <MessageBox mb="lg" variant="warning" data-testid="auto-sale-now"
      message={due.length === 1
        ? `Al guardar se venderán ahora mismo ${quantity} timbres de su inventario a ${list}, que ya está en el mínimo o por debajo${amount ? `, por $${amount}` : ''}.`
        : `Al guardar se venderán ahora mismo ${quantity * due.length} timbres de su inventario: ${quantity} a cada una de las ${due.length} cuentas que ya están en el mínimo o por debajo (${list})${amount ? `, por $${amount} cada venta` : ''}.`} />
  )
}

/** The customer's CTIs in Timbrado: a page (so its link also works in a new tab) that goes to the filtered list. */
export const GoToCtis = ({ record }) => {
  const navigate = useNavigate()
  const url = `/admin/resources/StampingAccount?filters.customerNic=${encodeURIComponent(record.params.nic)}`
  useEffect(() => { navigate(url, { replace: true }) }, [url])
  return <Box variant="white"><Text>Abriendo las cuentas de timbrado del cliente…</Text></Box>
}

const CtiForm = (props) => {
  const { action, resource, record, records } = props
  const form = FORMS[action.name] || { fields: [], submit: 'Aceptar' }
  const [values, setValues] = useState({})
  const [rows, setRows] = useState(() => (records || []).map((r) => ({ cti: r.params.id, quantity: '', amount: '' })))
  const [key, setKey] = useState(() => (record && record.params.idempotencyKey) || newKey())
  const [busy, setBusy] = useState(false)
  const [revealed, setRevealed] = useState(undefined)
  const handle = useActionResponseHandler()
  const set = (name, value) => setValues({ ...values, [name]: value })
  const setRow = (i, name, value) => setRows(rows.map((r, j) => (j === i ? { ...r, [name]: value } : r)))

  const send = async (extra) => {
    const data = new FormData()
    for (const [k, v] of Object.entries({ ...values, ...extra })) data.set(k, v)
    if (action.name === 'transfer' || action.name === 'massTransfer') data.set('idempotencyKey', key)
    if (action.name === 'massTransfer') rows.forEach((r, i) => { data.set(`items.${i}.cti`, r.cti); data.set(`items.${i}.quantity`, r.quantity); data.set(`items.${i}.amount`, r.amount) })
    setBusy(true)
    try {
      const params = { resourceId: resource.id, actionName: action.name, data }
      const res = action.actionType === 'record'
        ? await api.recordAction({ ...params, recordId: record.id })
        : action.actionType === 'bulk'
          ? await api.bulkAction({ ...params, recordIds: records.map((r) => r.id) })
          : await api.resourceAction(params)
      if (res.data.password !== undefined) setRevealed(res.data.password)
      if (res.data.notice && res.data.notice.type === 'success') { setKey(newKey()); setValues({}) }
      handle(res)
    } finally { setBusy(false) }
  }
  const submit = (event) => { event.preventDefault(); send({}) }

  return (
    <Box variant="white" as="form" onSubmit={submit}>
      {record ? <Summary record={record} /> : null}
      <Text mb="lg">{form.intro}</Text>
      {action.name === 'massTransfer'
        ? (
          <Table mb="xl">
            <TableHead><TableRow><TableCell>CTI</TableCell><TableCell>Cliente (NIC)</TableCell><TableCell>Saldo</TableCell><TableCell>Cantidad</TableCell><TableCell>Importe (MXN)</TableCell></TableRow></TableHead>
            <TableBody>
              {(records || []).map((r, i) => (
                <TableRow key={r.id}>
                  <TableCell>{r.params.id}</TableCell>
                  <TableCell>{r.params.customerNic}</TableCell>
                  <TableCell>{r.params.balance === null || r.params.balance === undefined ? '—' : r.params.balance}</TableCell>
                  <TableCell><Input aria-label={`Cantidad para ${r.params.id}`} type="number" value={rows[i].quantity} onChange={(e) => setRow(i, 'quantity', e.target.value)} /></TableCell>
                  <TableCell><Input aria-label={`Importe para ${r.params.id}`} value={rows[i].amount} onChange={(e) => setRow(i, 'amount', e.target.value)} /></TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )
        : null}
      {action.name === 'autoSale' && records ? <Text mb="lg">Cuentas seleccionadas: {records.map((r) => r.params.id).join(', ')}</Text> : null}
      {form.fields.map(([name, label, type]) => (type === 'date' || name === 'rfc') && values.type !== 'unlimited'
        ? null
        : <Field key={name} name={name} label={label} type={type === 'date' ? 'text' : type} value={values[name]} onChange={set} />)}
      {action.name === 'autoSale' ? <AutoSaleNow records={records} values={values} /> : null}
      {action.guard ? <MessageBox mb="xl" variant="info" message={action.guard} /> : null}
      {revealed !== undefined
        ? (revealed
          ? <MessageBox mb="xl" variant="success" message="Contraseña inicial (cópiela ahora)"><Text style={{ fontFamily: 'monospace', fontSize: '18px' }}>{revealed}</Text></MessageBox>
          : <MessageBox mb="xl" variant="info" message="No hay contraseña inicial por mostrar." />)
        : null}
      <Button type="submit" variant="contained" disabled={busy || revealed !== undefined}>{form.submit}</Button>
      {action.name === 'autoSale'
        ? <Button type="button" variant="outlined" ml="default" disabled={busy} onClick={() => send({ disable: 'true' })}>Desactivar venta automática</Button>
        : null}
    </Box>
  )
}

const CtiAction = (props) => (props.action.name === 'stampingAccounts' ? <GoToCtis {...props} /> : <CtiForm {...props} />)

export default CtiAction
