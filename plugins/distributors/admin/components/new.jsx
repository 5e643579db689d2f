// "Agregar distribuidor" in two steps (AdminJS bundles this file for the browser; it is not
// type-checked): first the administrator's e-mail and mobile, checked by the `checkAdministrator`
// action (refused when they are the parent's own or a customer's main profile; says whether an
// invitation will be sent); then the distributor's data, posted to the `new` action.
import React, { useState } from 'react'
import { Box, Button, FormGroup, FormMessage, Input, Label, MessageBox, Text } from '@adminjs/design-system'
import { ApiClient, useActionResponseHandler } from 'adminjs'

const api = new ApiClient()
const DATA = [['legalName', 'Razón social'], ['rfc', 'RFC'], ['contactName', 'Contacto'], ['contactEmail', 'Correo del contacto'], ['contactPhone', 'Teléfono del contacto']]

const Field = ({ name, label, value, error, onChange, disabled }) => (
  <FormGroup error={!!error} mb="lg">
    <Label htmlFor={`f-${name}`} required={['email', 'mobile', 'legalName', 'rfc'].includes(name)}>{label}</Label>
    <Input id={`f-${name}`} name={name} value={value} onChange={(e) => onChange(name, e.target.value)} width={1 / 2} disabled={disabled} autoComplete="off" />
    <FormMessage>{error}</FormMessage>
  </FormGroup>
)

const DistributorNew = ({ resource }) => {
  const [values, setValues] = useState({ email: '', mobile: '', legalName: '', rfc: '', contactName: '', contactEmail: '', contactPhone: '' })
  const [errors, setErrors] = useState({})
  const [checked, setChecked] = useState(null)
  const [busy, setBusy] = useState(false)
  const handle = useActionResponseHandler()
  const change = (k, v) => { setValues({ ...values, [k]: v }); if (k === 'email' || k === 'mobile') setChecked(null) }
  const form = (keys) => { const d = new FormData(); for (const k of keys) d.set(k, values[k]); return d }

  const check = async (event) => {
    event.preventDefault()
    setBusy(true)
    try {
      const res = await api.resourceAction({ resourceId: resource.id, actionName: 'checkAdministrator', data: form(['email', 'mobile']) })
      setErrors(res.data.fields || {})
      if (res.data.notice) handle(res)
      setChecked(res.data.fields || res.data.notice ? null : res.data)
    } finally { setBusy(false) }
  }
  const submit = async (event) => {
    event.preventDefault()
    setBusy(true)
    try {
      const res = await api.resourceAction({ resourceId: resource.id, actionName: 'new', data: form(Object.keys(values)) })
      const errs = res.data.record?.errors || {}
      setErrors(Object.fromEntries(Object.entries(errs).map(([k, e]) => [k, e.message])))
      handle(res)
    } finally { setBusy(false) }
  }

  return (
    <Box variant="white" as="form" onSubmit={checked ? submit : check}>
      <Text mb="lg">1. Correo y móvil de la persona que administrará la nueva cuenta.</Text>
      <Field name="email" label="Correo del administrador" value={values.email} error={errors.email} onChange={change} disabled={busy} />
      <Field name="mobile" label="Móvil del administrador" value={values.mobile} error={errors.mobile} onChange={change} disabled={busy} />
      {!checked && <Button variant="contained" type="submit" disabled={busy} data-testid="check-administrator">Continuar</Button>}
      {checked && (
        <Box>
          <MessageBox variant="info" message={checked.message} mb="xl" />
          <Text mb="lg">2. Datos del distribuidor.</Text>
          {DATA.map(([k, label]) => <Field key={k} name={k} label={label} value={values[k]} error={errors[k]} onChange={change} disabled={busy} />)}
          <Button variant="contained" type="submit" disabled={busy} data-testid="add-distributor">Agregar distribuidor</Button>
        </Box>
      )}
    </Box>
  )
}

export default DistributorNew
