// AdminJS bundles this file for the browser (not type-checked). Replaces AdminJS's date values on show
// pages with local dates (local-date.js).
import React from 'react'
import { ValueGroup } from '@adminjs/design-system'
import { useTranslation } from 'adminjs'
import { localDate } from './local-date.js'

const DatetimeShow = ({ property, record }) => {
  const { translateProperty } = useTranslation()
  return <ValueGroup label={translateProperty(property.label, property.resourceId)}>{localDate(record.params[property.path], property.type)}</ValueGroup>
}

export default DatetimeShow
