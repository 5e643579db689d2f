import test from 'ava'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import { csrfTokenOf, startTestApp, type TestApp } from '../helpers/app.js'
import { sidOf } from '../security/support.js'
import { Stamping } from '../plugins/stamping/helpers.js'

/**
 * A browser follows a 303 as soon as its headers arrive. The page it lands on must see what the
 * request left in the session (the notice): over a real socket, the next request is sent the moment
 * the redirect's headers are read. On the server the session row is also held locked for a while, so
 * a redirect sent before its session was stored would land on the session as it was before.
 */

let t0: TestApp
let server: Server
let base = ''
test.before(async () => {
  // The installed set: the profile page (accounts) and the PCC's Timbrado page (stamping) leave notices.
  t0 = await startTestApp()
  server = t0.app.http.app.listen(0, '127.0.0.1')
  await new Promise<void>((resolve, reject) => { server.once('listening', resolve); server.once('error', reject) })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
test.after.always(async () => {
  if (server) await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) })
  await t0?.close()
})

const onServer = !!process.env.DATABASE_URL
const tokenOf = (html: string) => csrfTokenOf(html) ?? ''

/** A cookie jar over fetch that never follows redirects itself. */
class SocketClient {
  sid = ''
  /** The sign-in form's CSRF cookie (set before there is a session). */
  csrfCookie = ''
  async send(method: 'GET' | 'POST', url: string, form?: Record<string, string>) {
    const cookies = [this.sid && `cm.sid=${this.sid}`, this.csrfCookie && `cm.csrf=${this.csrfCookie}`].filter(Boolean).join('; ')
    const res = await fetch(`${base}${url}`, {
      method, redirect: 'manual',
      headers: { ...(cookies ? { cookie: cookies } : {}), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    })
    const value = (name: string) => { const c = res.headers.getSetCookie().find((x) => x.startsWith(`${name}=`)); return c && c.slice(name.length + 1, c.indexOf(';')) }
    this.sid = value('cm.sid') ?? this.sid
    this.csrfCookie = value('cm.csrf') ?? this.csrfCookie
    return res
  }
}

/** Signs a profile in over the socket. */
async function signedIn(p: { email: string, password: string }) {
  const c = new SocketClient()
  const login = await c.send('GET', '/login')
  const res = await c.send('POST', '/login', { login: p.email, password: p.password, _csrf: tokenOf(await login.text()) })
  if (res.status !== 303) throw new Error(`login failed: ${res.status}`)
  return c
}

/**
 * Posts a form (on the server, while a transaction holds the session row for 300 ms, so the
 * request's session write waits for it; the embedded database has one connection, where that would
 * block everything) and follows the redirect the moment its headers are read, as a browser does.
 */
async function postThenFollow(c: SocketClient, url: string, form: Record<string, string>) {
  const knex = t0.app.kernel.orm.em.getConnection().getKnex()
  const trx = onServer ? await knex.transaction() : undefined
  await trx?.raw('select 1 from core_session where sid = ? for update', [sidOf(c.sid)!])
  const release = new Promise<unknown>((resolve, reject) => setTimeout(() => (trx ? trx.commit() : Promise.resolve()).then(resolve, reject), 300))
  try {
    const post = await c.send('POST', url, form)
    if (post.status !== 303) throw new Error(`${url} answered ${post.status}`)
    return await (await c.send('GET', post.headers.get('location')!)).text()
  } finally { await release }
}

test('a notice left before a redirect is on the page the browser lands on at once', async (t) => {
  const c = await signedIn(await t0.fixtures.profile())
  const _csrf = tokenOf(await (await c.send('GET', '/profile')).text())
  t.truthy(_csrf)
  for (let round = 0; round < 3; round++) {
    const name = `Nombre ${round}`
    const landed = await postThenFollow(c, '/profile', { _csrf, name })
    t.true(landed.includes('Datos guardados.'), `round ${round}: the notice was not on the page the redirect led to`)
    t.true(landed.includes(`value="${name}"`))
  }
})

test('a PCC page\'s notice survives its redirect too (a CTI password changed from the panel)', async (t) => {
  const s = new Stamping(t0)
  const d = await s.distributor(10)
  const clients = t0.app.kernel.contexts.get('clients')!.use('clients')
  const customer = await clients.customers.create(s.em(), d.id, { legalName: 'Papelería Central SA de CV', rfc: 'EKU9003173C9' })
  const { items: [cti] } = await s.services.ctis.list(s.em(), d.id, { customerIds: [customer.id] }, 1, 10)
  const p = await t0.fixtures.profile()
  await clients.customers.link(s.em(), customer.id, p.id)
  const c = await signedIn(p)
  const page = `/pcc/${customer.nic}/timbrado`
  const _csrf = tokenOf(await (await c.send('GET', page)).text())
  const landed = await postThenFollow(c, page, { _csrf, cti: cti.id, password: 'clave-nueva-12345', passwordConfirmation: 'clave-nueva-12345' })
  t.true(landed.includes(`Contraseña de la cuenta ${cti.id} cambiada`))
})
