import test from 'ava'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { rows, SAME_ORIGIN } from './support.js'

// CM multipart bodies: no action takes a file, so nothing is written to the temp folder; fields
// still arrive; oversized bodies are refused with 413, not parsed.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true }) })
test.after.always(() => t0?.close())

const BODY_LIMIT = 2 * 1024 * 1024
const uploads = () => new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('upload_')))

function multipart(fields: Record<string, string>, file?: { name: string, size: number }) {
  const boundary = `----cm${Math.random().toString(36).slice(2)}`
  const parts: Buffer[] = []
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`))
  if (file) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.name}"; filename="x.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`))
    parts.push(Buffer.alloc(file.size, 65), Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

test('a file posted to a CM action is not written to the temp folder; the action still gets its fields', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = t0.client()
  await c.enterCm(d.login, d.password, d.id)
  const before = uploads()
  const body = multipart({ legalName: 'Con Adjunto SA', rfc: 'XAXX010101000' }, { name: 'attachment', size: 1024 * 1024 })
  const res = await c.request({ method: 'POST', url: '/admin/api/resources/Customer/actions/new', payload: body.payload, headers: { ...body.headers, ...SAME_ORIGIN } })
  t.is(res.statusCode, 200)
  t.is(res.json().notice?.type, 'success', res.body.slice(0, 300))
  t.is((await rows(t0, 'select 1 from clients_customer where legal_name = ? and distributor_id = ?', ['Con Adjunto SA', d.id])).length, 1)
  t.deepEqual([...uploads()].filter((f) => !before.has(f)), [], 'no upload_* file left behind')

  // Over the limit: 413 before anything is parsed or created.
  const big = multipart({ legalName: 'Demasiado Grande SA', rfc: 'XAXX010101000' }, { name: 'attachment', size: 3 * 1024 * 1024 })
  const tooBig = await c.request({ method: 'POST', url: '/admin/api/resources/Customer/actions/new', payload: big.payload, headers: { ...big.headers, ...SAME_ORIGIN } })
  t.is(tooBig.statusCode, 413)
  t.is((await rows(t0, 'select 1 from clients_customer where legal_name = ?', ['Demasiado Grande SA'])).length, 0)
  // Fields alone over the limit: 413 too.
  const fat = multipart({ legalName: 'x'.repeat(BODY_LIMIT), rfc: 'XAXX010101000' })
  t.is((await c.request({ method: 'POST', url: '/admin/api/resources/Customer/actions/new', payload: fat.payload, headers: { ...fat.headers, ...SAME_ORIGIN } })).statusCode, 413)
  t.deepEqual([...uploads()].filter((f) => !before.has(f)), [])
})
