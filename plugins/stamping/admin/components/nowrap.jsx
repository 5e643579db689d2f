// A list cell that never wraps (CTI ids, auto top-up settings); the title links to the record, as
// AdminJS's own cell does. AdminJS bundles this file for the browser (it is not type-checked).
import React from 'react'
import { Link } from 'react-router-dom'
import { ViewHelpers } from 'adminjs'

const h = new ViewHelpers()

const Nowrap = ({ record, property, resource }) => {
  const value = record.params[property.propertyPath] ?? ''
  const style = { whiteSpace: 'nowrap' }
  return property.isTitle
    ? <Link style={{ ...style, color: 'inherit', fontWeight: 600, textDecoration: 'none' }} to={h.recordActionUrl({ resourceId: resource.id, recordId: record.id, actionName: 'show' })}>{value}</Link>
    : <span style={style}>{value}</span>
}

export default Nowrap
