import test from 'ava'
import { startTestApp, type TestApp } from '../helpers/app.js'
import { rows, uniqueIp } from './support.js'

// A password reset ends every other session of the profile and every other outstanding reset link.

let t0: TestApp
test.before(async () => { t0 = await startTestApp() })
test.after.always(() => t0?.close())

const linkOf = (body: string) => new URL(/(https?:\/\/[^\s]+)/.exec(body)![1]).searchParams.get('token')!

test('a reset signs out the profile\'s other sessions and voids its older reset links', async (t) => {
  const p = await t0.fixtures.profile()
  const other = await t0.fixtures.profile()
  // Two browsers signed in as p (one of them the thief's), one as someone else.
  const sessions = [t0.client({ remoteAddress: uniqueIp() }), t0.client({ remoteAddress: uniqueIp() })]
  for (const c of sessions) t.is((await c.login(p.email, p.password)).statusCode, 303)
  const bystander = t0.client({ remoteAddress: uniqueIp() })
  t.is((await bystander.login(other.email, other.password)).statusCode, 303)
  for (const c of [...sessions, bystander]) t.is((await c.get('/profile')).statusCode, 200)

  // Two reset links requested; the newer one is used.
  const c = t0.client({ remoteAddress: uniqueIp() })
  const tokens: string[] = []
  for (let i = 0; i < 2; i++) {
    const before = t0.outbox.length
    t.is((await c.postForm('/forgot', { login: p.email, _csrf: await c.csrf('/forgot') })).statusCode, 200)
    tokens.push(linkOf(t0.outbox.slice(before).find((m) => m.channel === 'email')!.body))
  }
  const ok = await c.postForm('/reset', { token: tokens[1], password: 'contraseña-nueva-1', passwordConfirmation: 'contraseña-nueva-1', _csrf: await c.csrf(`/reset?token=${tokens[1]}`) })
  t.is(ok.statusCode, 303)

  for (const s of sessions) t.is((await s.get('/profile')).statusCode, 303, 'signed out')
  t.is((await rows(t0, `select sid from core_session where sess->>'profileId' = ?`, [p.id])).length, 0)
  t.is((await bystander.get('/profile')).statusCode, 200, 'another profile keeps its session')
  // The older link no longer works.
  const old = await c.postForm('/reset', { token: tokens[0], password: 'contraseña-del-ladron', passwordConfirmation: 'contraseña-del-ladron', _csrf: await c.csrf('/forgot') })
  t.is(old.statusCode, 400)
  t.is((await t0.client({ remoteAddress: uniqueIp() }).login(p.email, 'contraseña-nueva-1')).statusCode, 303)
  // A password too long leaves the link usable.
  const before = t0.outbox.length
  await c.postForm('/forgot', { login: p.email, _csrf: await c.csrf('/forgot') })
  const fresh = linkOf(t0.outbox.slice(before).find((m) => m.channel === 'email')!.body)
  t.is((await c.postForm('/reset', { token: fresh, password: 'x'.repeat(201), passwordConfirmation: 'x'.repeat(201), _csrf: await c.csrf(`/reset?token=${fresh}`) })).statusCode, 422)
  t.is((await c.postForm('/reset', { token: fresh, password: 'contraseña-nueva-2', passwordConfirmation: 'contraseña-nueva-2', _csrf: await c.csrf(`/reset?token=${fresh}`) })).statusCode, 303)
})
