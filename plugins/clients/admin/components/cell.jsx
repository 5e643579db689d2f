// A Clientes list cell that never wraps (NIC, RFC, phones, figures), with dates as local short dates
// ("4 dic 2026") in Mexico City time; the title links to the record like AdminJS's own cell.
// AdminJS bundles this file for the browser (it is not type-checked).
import React from 'react'
import { Link } from 'react-router-dom'
import { ViewHelpers } from 'adminjs'

const h = new ViewHelpers()
const DATE = new Intl.DateTimeFormat('es-MX', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'America/Mexico_City' })

export const formatCell = (value, type) => {
  if (value === null || value === undefined || value === '') return '—'
  if (type === 'datetime' || type === 'date') {
    const d = new Date(value)
    return Number.isNaN(d.getTime()) ? String(value) : DATE.format(d).replace('.', '')
  }
  return String(value)
}

const Cell = ({ record, property, resource }) => {
  const text = formatCell(record.params[property.propertyPath], property.type)
  const style = { whiteSpace: 'nowrap', ...(property.type === 'number' ? { display: 'block', textAlign: 'right' } : {}) }
  // The name wraps between words only, in a column wide enough for two or three of them.
  return property.isTitle
    ? <Link style={{ display: 'inline-block', minWidth: '120px', overflowWrap: 'normal', color: 'inherit', fontWeight: 600, textDecoration: 'none' }} to={h.recordActionUrl({ resourceId: resource.id, recordId: record.id, actionName: 'show' })}>{text}</Link>
    : <span style={style}>{text}</span>
}

export default Cell
