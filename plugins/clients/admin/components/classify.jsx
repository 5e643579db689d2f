// One-click classification in the Clientes list (AdminJS bundles this file for the browser; it is not
// type-checked). Each click POSTs the record action `classify` through ApiClient (same origin, so the
// CM's CSRF check passes); the action changes nothing on GET. Clicking the current category or
// colour again clears it.
import React, { useState } from 'react'
import { Box } from '@adminjs/design-system'
import { ApiClient, useNotice } from 'adminjs'

const api = new ApiClient()

const CATEGORIES = [['favorite', '★', 'Favorito'], ['dropped', '⊘', 'Baja']]
const COLORS = [['red', '#d93025', 'Rojo'], ['orange', '#f29900', 'Naranja'], ['yellow', '#f6d000', 'Amarillo'], ['green', '#188038', 'Verde'], ['blue', '#1a73e8', 'Azul'], ['purple', '#8e24aa', 'Morado']]

const chip = (active) => ({
  cursor: 'pointer', border: active ? '2px solid #222' : '1px solid #bbb', borderRadius: '12px', background: active ? '#eef' : '#fff',
  padding: '0 4px', marginRight: '3px', height: '20px', minWidth: '20px', fontSize: '12px', lineHeight: '16px',
})
const dot = (color, active) => ({
  cursor: 'pointer', width: '13px', height: '13px', borderRadius: '50%', background: color, marginRight: '2px', padding: 0,
  border: active ? '2px solid #222' : '1px solid rgba(0,0,0,.2)', boxShadow: active ? '0 0 0 2px #fff inset' : 'none', verticalAlign: 'middle',
})

const Classify = (props) => {
  const { record, resource } = props
  const [value, setValue] = useState({ category: record.params.category || null, color: record.params.color || null })
  const [busy, setBusy] = useState(false)
  const notice = useNotice()

  const send = async (field, v) => {
    if (busy) return
    const next = value[field] === v ? null : v
    const data = new FormData()
    data.set(field, next === null ? '' : next)
    setBusy(true)
    try {
      const res = await api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'classify', data })
      const p = res.data.record && res.data.record.params
      if (res.data.notice && res.data.notice.type === 'success' && p) setValue({ category: p.category || null, color: p.color || null })
      if (res.data.notice) notice(res.data.notice)
    } catch (e) {
      notice({ message: 'No se pudo clasificar al cliente.', type: 'error' })
    } finally { setBusy(false) }
  }
  const stop = (fn) => (e) => { e.preventDefault(); e.stopPropagation(); fn() }

  return (
    <Box flex flexDirection="row" alignItems="center" style={{ whiteSpace: 'nowrap', opacity: busy ? 0.5 : 1 }} onClick={(e) => e.stopPropagation()}>
      {CATEGORIES.map(([v, icon, label]) => (
        <button key={v} type="button" title={label} aria-label={label} aria-pressed={value.category === v} data-classify={`category:${v}`}
          style={chip(value.category === v)} onClick={stop(() => send('category', v))}>{icon}</button>
      ))}
      <span style={{ width: '4px' }} />
      {COLORS.map(([v, css, label]) => (
        <button key={v} type="button" title={label} aria-label={label} aria-pressed={value.color === v} data-classify={`color:${v}`}
          style={dot(css, value.color === v)} onClick={stop(() => send('color', v))} />
      ))}
    </Box>
  )
}

export default Classify
