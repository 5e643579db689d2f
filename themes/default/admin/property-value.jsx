// AdminJS bundles this file for the browser (not type-checked). It replaces AdminJS's
// DefaultPropertyValue, and on loading gives the design system's selects Spanish defaults.
import React from 'react'
import { Badge, Select, SelectAsync } from '@adminjs/design-system'
import { useTranslation } from 'adminjs'

// react-select says "Select...", "No options" and "Loading..." unless told otherwise, and AdminJS
// never tells it; every select of the CM (forms, filters, reference pickers) comes from these two.
const spanish = { placeholder: 'Seleccione…', noOptionsMessage: () => 'Sin opciones', loadingMessage: () => 'Buscando…' }
for (const component of [Select, SelectAsync]) component.defaultProps = { ...component.defaultProps, ...spanish }

// AdminJS showed a value of a list of options as its label passed through lodash's startCase, which
// drops accents and capitalises each word ("Básico" → "Basico", "Sin validar" → "Sin Validar"),
// always grey. Here: the label as written, in the colour the option names (`variant`: success,
// danger, info, secondary, primary, light), translatable as `<property>.<value>`.
const PropertyValue = ({ property: { propertyPath, availableValues, path }, record, resource }) => {
  const { tl } = useTranslation()
  const raw = record && record.params[path]
  // An empty value reads as a dash, never as a blank (a list cell or a show page's field).
  if (raw === undefined || raw === null || raw === '') return '—'
  // eslint-disable-next-line eqeqeq
  const option = availableValues && availableValues.find((o) => o.value == raw)
  if (!option) return raw
  const label = tl(`${propertyPath}.${option.value}`, resource.id, { defaultValue: option.label || String(raw) })
  return <Badge variant={option.variant}>{label}</Badge>
}

export default PropertyValue
