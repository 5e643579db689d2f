import test from 'ava'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestApp } from '../../helpers/app.js'
import { b64, sampleCfdi } from '../../helpers/cfdi.js'
import { CTI_PASSWORD, Stamping, startStampingApp } from './helpers.js'

// Over a real socket (fetch), so that a client can hang up mid-request. Nothing in this file uses
// inject: light-my-request's request objects and a real server's do not mix on one express app.
let t0: TestApp
let s: Stamping
let server: http.Server
let base: string
test.before(async () => {
  t0 = await startStampingApp({ sandboxLatencyMs: 150 })
  s = new Stamping(t0)
  server = http.createServer(t0.app.http.app as never)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.after.always(async () => { await new Promise((r) => server?.close(r)); await t0?.close() })

const post = (url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
  fetch(`${base}${url}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers }, signal })

test('the same idd retried after the client aborted, and while the first is still in flight, is charged once', async (t) => {
  const d = await s.distributor(100)
  const auth = { authorization: `Bearer ${d.token}` }
  const customer = await (await post('/api/v1/customers', { legalName: 'Cliente Impaciente', rfc: 'EKU9003173C9' }, auth)).json() as { nic: string }
  const list = await (await fetch(`${base}/api/v1/ctis?customer=${customer.nic}`, { headers: auth })).json() as { items: { id: string }[] }
  const cti = list.items[0].id
  t.is((await post(`/api/v1/ctis/${cti}/reset-password`, { password: CTI_PASSWORD }, auth)).status, 204)
  t.is((await post(`/api/v1/ctis/${cti}/transfers`, { quantity: 10, amount: '15.00', idempotencyKey: 't-1' }, auth)).status, 201)

  const body = { cti, password: CTI_PASSWORD, xml: b64(sampleCfdi()), idd: 'venta-42' }
  // The client gives up before the PAC answers; the server goes on with the stamp.
  const aborted = new AbortController()
  const first = post('/api/v1/stamp', body, {}, aborted.signal).catch((e: unknown) => e)
  await new Promise((r) => setTimeout(r, 60))
  aborted.abort()
  t.true((await first) instanceof Error)
  const retries = await Promise.all(Array.from({ length: 6 }, () => post('/api/v1/stamp', body)))
  const answers = await Promise.all(retries.map((r) => r.json() as Promise<{ uuid: string, replayed: boolean, error?: unknown }>))
  t.true(retries.every((r) => r.status === 200), JSON.stringify(answers.find((a) => a.error)))
  t.is(new Set(answers.map((a) => a.uuid)).size, 1)
  // The aborted request or one of the retries stamped it; every other answer is its replay.
  t.true(answers.filter((a) => !a.replayed).length <= 1)
  t.is(await s.stampsOf(cti), 1)
  t.is(await s.balanceOf(cti), 9)
  // And later, with the same document under a new idd: replayed, and that idd is bound too.
  const later = await (await post('/api/v1/stamp', { ...body, idd: 'venta-42-bis' })).json() as { uuid: string }
  t.is(later.uuid, answers[0].uuid)
  t.is(await s.balanceOf(cti), 9)
  t.deepEqual(await s.verify(cti), [])
})
