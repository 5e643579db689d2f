import test from 'ava'
import { startTestApp, type Client, type TestApp } from '../helpers/app.js'
import { adminPost, api, apiCustomer, rows } from './support.js'

// The owner rule both ways: a customer's main profile is never admitted to a CM (here: as the first
// member of a distributor staff create), as a CM member is never made a customer's owner.

let t0: TestApp
test.before(async () => { t0 = await startTestApp({ admin: true }) })
test.after.always(() => t0?.close())

async function staffConsole(): Promise<Client> {
  const staff = await t0.fixtures.staff()
  const [root] = await rows(t0, 'select id from core_distributor where is_root')
  const c = t0.client()
  await c.enterCm(staff.login, staff.password, root.id)
  return c
}

test('staff cannot make a customer\'s main profile the member of a new distributor', async (t) => {
  const d = await t0.fixtures.distributor()
  const customer = await apiCustomer(t0, d, 'Cliente con Dueño SA')
  const owner = await t0.fixtures.profile()
  const assigned = await api(t0, d, 'POST', `/api/v1/customers/${customer.nic}/owner`, { email: owner.email, mobile: owner.mobile })
  t.is(assigned.statusCode, 200, assigned.body)
  const c = await staffConsole()
  const name = `Distribuidora ${Math.random().toString(36).slice(2)}`
  const res = await adminPost(c, '/admin/api/resources/Distributor/actions/new', { name, tier: 'basico', memberEmail: owner.email, memberMobile: owner.mobile })
  t.is(res.statusCode, 200)
  t.is(res.json().notice?.type, 'error')
  t.regex(JSON.stringify(res.json().record?.errors ?? {}), /perfil principal de un cliente/)
  t.is((await rows(t0, 'select 1 from core_distributor where name = ?', [name])).length, 0)
  t.is((await rows(t0, 'select 1 from core_distributor_member where profile_id = ?', [owner.id])).length, 0)

  // A profile that owns no customer may still be admitted.
  const other = await t0.fixtures.profile()
  const ok = await adminPost(c, '/admin/api/resources/Distributor/actions/new', { name: `${name} B`, tier: 'basico', memberEmail: other.email, memberMobile: other.mobile })
  t.is(ok.json().notice?.type, 'success', ok.body.slice(0, 300))
})
