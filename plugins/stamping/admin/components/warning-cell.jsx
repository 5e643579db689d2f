// A list cell for a long warning (auto top-up, unlimited renewal): its headline, up to the first
// colon ("Renovación anual sin pagar"), in one line, the whole text on hover and on the record's
// page. The full sentence in a list column pushed the table past the screen at 1440 px.
// AdminJS bundles this file for the browser (it is not type-checked).
import React from 'react'

const WarningCell = ({ record, property }) => {
  const text = String(record.params[property.propertyPath] ?? '').trim()
  if (!text) return <span>—</span>
  const cut = text.indexOf(':')
  const head = cut > 0 && cut <= 60 ? text.slice(0, cut) : text.length > 60 ? `${text.slice(0, 57).trimEnd()}…` : text
  return <span title={text} style={{ whiteSpace: 'nowrap', color: '#c20012', fontWeight: 600 }}>{head}</span>
}

export default WarningCell
