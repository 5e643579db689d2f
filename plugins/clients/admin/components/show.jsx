// A customer's page in the CM (AdminJS bundles this file for the browser; it is not type-checked):
// titled with its name, its data in sections (fiscal, company contact, legal representative,
// financial and technical contacts, figures, other data), "—" for what is empty.
import React from 'react'
import { Box, H4, Text } from '@adminjs/design-system'
import { useTranslation } from 'adminjs'
import CustomerHeader from './header.jsx'
import { formatCell } from './cell.jsx'

const CONTACTS = [['legalRepresentative', 'Representante legal'], ['financialContact', 'Contacto financiero'], ['technicalContact', 'Contacto técnico']]
const OWN = ['nic', 'legalName', 'tradeName', 'rfc', 'taxRegime', 'postalCode', 'address', 'phone', 'email', 'otherData', 'stampPrice', 'category', 'color', 'createdAt', 'owner']

const Field = ({ label, value, wide }) => (
  <Box mb="lg" style={wide ? { gridColumn: '1 / -1' } : {}}>
    <Text variant="sm" color="grey60">{label}</Text>
    <Text style={{ whiteSpace: wide ? 'pre-wrap' : 'normal', overflowWrap: 'anywhere' }}>{value === null || value === undefined || value === '' ? '—' : value}</Text>
  </Box>
)

const Section = ({ title, children }) => (
  <Box variant="white" mb="lg" data-section={title}>
    <H4 mb="lg">{title}</H4>
    <Box style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', columnGap: '24px' }}>{children}</Box>
  </Box>
)

const ClientsShow = (props) => {
  const { resource, record } = props
  const { translateProperty } = useTranslation()
  const p = record.params
  const prop = (name) => resource.properties[name]
  const label = (name) => translateProperty(name, resource.id)
  const choice = (name) => {
    const found = ((prop(name) && prop(name).availableValues) || []).find((v) => v.value === p[name])
    return found ? found.label : p[name]
  }
  const field = (name, value = p[name], wide = false) => <Field key={name} label={label(name)} value={value} wide={wide} />
  const figures = resource.showProperties.filter((x) => !OWN.includes(x.propertyPath) && x.type !== 'mixed' && !x.propertyPath.includes('.'))
  return (
    <Box>
      <CustomerHeader {...props} subtitle={p.rfc ? `RFC ${p.rfc}` : ''} />
      <Section title="Datos fiscales">
        {field('legalName')}{field('tradeName')}{field('rfc')}{field('taxRegime', choice('taxRegime'))}{field('postalCode')}{field('address')}
      </Section>
      <Section title="Contacto de la empresa">{field('phone')}{field('email')}</Section>
      {CONTACTS.map(([key, title]) => (
        <Section key={key} title={title}>
          <Field label="Nombre" value={p[`${key}.name`]} />
          <Field label="Correo" value={p[`${key}.email`]} />
          <Field label="Teléfonos" value={p[`${key}.phones`]} />
        </Section>
      ))}
      <Section title="Acceso al Panel de Control del Cliente">
        <Field label="Perfil principal" value={p.owner || 'Sin perfil principal: use «Asignar Perfil Admin» para darle acceso.'} wide />
      </Section>
      {figures.length ? (
        <Section title="Cifras">
          {figures.map((f) => <Field key={f.propertyPath} label={(f.custom && f.custom.label) || label(f.propertyPath)} value={formatCell(p[f.propertyPath], f.type)} />)}
        </Section>
      ) : null}
      <Section title="Otros datos">
        {field('stampPrice')}{field('category', choice('category'))}{field('color', choice('color'))}{field('createdAt', formatCell(p.createdAt, 'datetime'))}
        {field('otherData', p.otherData, true)}
      </Section>
    </Box>
  )
}

export default ClientsShow
