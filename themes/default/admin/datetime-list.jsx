// AdminJS bundles this file for the browser (not type-checked). Replaces AdminJS's date cells in lists
// ("2026-12-04 23:29") with local dates (local-date.js), never wrapped.
import React from 'react'
import { localDate } from './local-date.js'

const DatetimeList = ({ property, record }) => <span style={{ whiteSpace: 'nowrap' }}>{localDate(record.params[property.path], property.type)}</span>

export default DatetimeList
