import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import clients, { CUSTOMER_SEARCH } from '../../../plugins/clients/index.js'
import { PHONE_RUNS_INSERT, SEARCH_KEY_BACKFILL, SHARED_PREFIX_BACKFILL } from '../../../plugins/clients/migrations/index.js'
import { fold, keyOf, likeEscape } from '../../../plugins/clients/services/search.js'
import type { CustomerFields } from '../../../plugins/clients/services/customers.js'
import { startTestApp, type Client, type DistributorFixture, type TestApp } from '../../helpers/app.js'
import { uniqueIp } from '../../security/support.js'

// Searches that match many customers: the total is counted without de-duplicating the key matches
// (each key keeps how much it shares with its customer's previous key) and the page is read by
// walking the sort order's index (from 100 matches on), falling back to sorting the matches when
// the walk does not fill the page. Both must give exactly what the plain definition gives: the
// tenant's customers any branch matches, each once, in the sort order with ties by NIC.

let t0: TestApp
test.before(async () => {
  t0 = await startTestApp({ admin: true, kernel: { plugins: [{ plugin: clients }] } })
  await sql(t0.app.kernel.orm.em.fork(), 'create table test_cti (id varchar(20) primary key, customer_id uuid not null, distributor_id uuid not null)')
  t0.app.kernel.extensions.contribute('clients', CUSTOMER_SEARCH, { relation: 'test_cti', column: 'id' })   // in clients' name: only an installed plugin's contributions are read
})
test.after.always(() => t0?.close())

const em = () => t0.app.kernel.orm.em.fork()
const customers = () => t0.app.kernel.contexts.get('clients')!.use('clients').customers
const auth = (d: DistributorFixture) => ({ authorization: `Bearer ${d.token}` })
const get = async (d: DistributorFixture, url: string) => {
  const res = await t0.inject({ method: 'GET', url, headers: auth(d) })
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
  return res.json() as { items: { nic: string }[], total: number }
}

const WORDS = ['Ferretería', 'Farmacia', 'Taller', 'Papelería']
const PLACES = ['Jalisco', 'Sonora', 'Pacífico']
const PREFIXES = ['551234', '551299', '331234', '815512']

/**
 * Customers whose phones share prefixes (a contact's phone often starts like the company's, so one
 * customer has several keys with one prefix), with digits in some e-mails (a customer found by key
 * and by text at once) and a first batch holding the only "Vieja" ones (a match the newest-first
 * walk does not reach).
 */
function world(count: number): CustomerFields[] {
  return Array.from({ length: count }, (_, n) => {
    const p = PREFIXES[(n * 7) % PREFIXES.length]
    const phone = (i: number) => `${p}${String((n * 31 + i * 17) % 10_000).padStart(4, '0')}`
    return {
      legalName: `${WORDS[n % WORDS.length]} ${PLACES[Math.floor(n / 5) % PLACES.length]}${n < 120 ? ' Vieja' : ''} ${n % 50}`,
      rfc: 'XAXX010101000',
      phone: phone(0),
      email: n % 3 === 0 ? `ventas${p.slice(0, 4)}@empresa.mx` : null,
      legalRepresentative: n % 2 === 0 ? { name: null, email: null, phones: [phone(1), `99${p}`] } : null,
      financialContact: n % 5 === 0 ? { name: 'Conta', email: null, phones: [phone(2), phone(3)] } : null,
      color: n % 4 === 0 ? 'red' : null,
    }
  })
}

/** The plain definition: every branch's matches, de-duplicated by the IN, in the sort order, ties by NIC. */
async function reference(distributorId: string, q: string, order: string): Promise<string[]> {
  const key = keyOf(q.trim()), folded = fold(q.trim())
  const branches: string[] = []
  const params: unknown[] = []
  // Heads (NIC, RFC, phones, national numbers) by prefix; from 4 characters, any run inside a phone's digits.
  if (key) { branches.push('select customer_id from clients_customer_search_key where key like ? and head_shared_prefix is not null'); params.push(`${likeEscape(key)}%`) }
  if (key.length >= 4) {
    branches.push(`select c.id from clients_customer c cross join lateral (select c.phone as p union all
      select jsonb_array_elements_text(coalesce(j -> 'phones', '[]')) from unnest(array[c.legal_representative, c.financial_contact, c.technical_contact]) j) ph
      where regexp_replace(ph.p, '[^0-9]', '', 'g') like ?`)
    params.push(`%${likeEscape(key)}%`)
  }
  if (folded.length >= 3) { branches.push('select customer_id from clients_customer_search where search_text like ?'); params.push(`%${likeEscape(folded)}%`) }
  branches.push('select customer_id from test_cti where id like ? or id like ?')
  params.push(`${likeEscape(q.trim())}%`, `${likeEscape(q.trim().toUpperCase())}%`)
  const rows = await sql<{ nic: string }[]>(em(), `select c.nic from clients_customer c join clients_customer_search s on s.customer_id = c.id
    where c.distributor_id = ? and c.id in (${branches.join(' union ')}) order by ${order}, (c.nic)::bigint`, [distributorId, ...params])
  return rows.map((r) => r.nic)
}

const SORTS: [string, string][] = [
  ['', 'c.created_at desc'], ['createdAt', 'c.created_at asc'], ['nic', '(c.nic)::bigint asc'], ['-nic', '(c.nic)::bigint desc'],
  ['legalName', 's.sort_name asc'], ['-legalName', 's.sort_name desc'],
]

let seeded: Promise<{ d: DistributorFixture, other: DistributorFixture }> | undefined
/** One distributor with 400 customers in four batches (four sign-up instants), and a look-alike. */
const broadWorld = () => seeded ??= (async () => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  await customers().createMany(em(), d.id, world(400), 100)
  await customers().createMany(em(), other.id, world(150), 150)
  // CTIs: some of customers found by key anyway, some found by their CTI only, two for one customer.
  const ids = await sql<{ id: string, nic: string }[]>(em(), 'select id, nic from clients_customer where distributor_id = ? order by (nic)::bigint', [d.id])
  for (const [i, n] of [3, 4, 250, 250, 251].entries()) {
    await sql(em(), 'insert into test_cti values (?, ?, ?)', [`5512CTI${i}`, ids[n].id, d.id])
  }
  return { d, other }
})()

test('broad searches: the total is the number of matching customers and every page is the plain order\'s page', async (t) => {
  const { d, other } = await broadWorld()
  const queries = ['55', '5512', '551234', '55 12 34', '1234', '12-34', '234', '331', 'ferreter', 'taller', 'pacifico', 'farmacia jal', 'vieja', '81', '9955', 'empresa', 'zzzz']
  for (const q of queries) {
    for (const [sort, order] of SORTS) {
      const all = await reference(d.id, q, order)
      const url = `/api/v1/customers?q=${encodeURIComponent(q)}${sort ? `&sort=${sort}` : ''}`
      for (const [perPage, page] of [[20, 1], [20, 2], [7, 9], [100, 1], [20, Math.ceil(all.length / 20) || 1]]) {
        const res = await get(d, `${url}&perPage=${perPage}&page=${page}`)
        t.is(res.total, all.length, `${q} ${sort}: total`)
        t.deepEqual(res.items.map((c) => c.nic), all.slice((page - 1) * perPage, page * perPage), `${q} ${sort} perPage ${perPage} page ${page}`)
      }
    }
    // The look-alike distributor counts its own customers only.
    t.is((await get(other, `/api/v1/customers?q=${encodeURIComponent(q)}`)).total, (await reference(other.id, q, 'c.created_at desc')).length, `${q}: other distributor`)
  }
  // Broad enough for the walk, and the walk's case where it must fall back, are both in there.
  t.true((await reference(d.id, '55', 'c.created_at')).length >= 100)
  t.is((await reference(d.id, 'vieja', 'c.created_at')).length, 120)
})

test.serial('the key count stays exact through edits: a customer with several keys of one prefix counts once', async (t) => {
  const d = await t0.fixtures.distributor()
  const c = await customers().create(em(), d.id, { legalName: 'Varios Teléfonos', rfc: 'XAXX010101000', phone: '77 7000 0001', legalRepresentative: { phones: ['77 7000 0002', '77 7000 0003'] } })
  await customers().create(em(), d.id, { legalName: 'Otro Teléfono', rfc: 'XAXX010101000', phone: '77 7100 0001' })
  const total = async (q: string) => (await get(d, `/api/v1/customers?q=${encodeURIComponent(q)}`)).total
  t.is(await total('777000'), 1)
  t.is(await total('777'), 2)
  // A new key that sorts first (and so becomes the one counted), and one that starts with the NIC.
  await customers().update(em(), c, { financialContact: { phones: ['77 7000 0000', `${c.nic}0`] } })
  t.is(await total('777000'), 1)
  t.is(await total('777'), 2)
  t.is(await total(c.nic), 1)
  await customers().update(em(), c, { phone: '88 1000 0000', legalRepresentative: { phones: [] }, financialContact: { phones: [] } })
  t.is(await total('777000'), 0)
  t.is(await total('777'), 1)
})

test.serial('the migration\'s backfill computes the same shared prefixes as the writes', async (t) => {
  const { d } = await broadWorld()
  const snapshot = () => sql<{ customer_id: string, key: string, shared_prefix: number }[]>(em(),
    'select customer_id, key, shared_prefix from clients_customer_search_key where distributor_id = ? order by customer_id, key', [d.id])
  const written = await snapshot()
  t.true(written.some((r) => r.shared_prefix > 0))
  await em().transactional(async (tx) => {
    await sql(tx, 'update clients_customer_search_key set shared_prefix = 0 where distributor_id = ?', [d.id])
    await sql(tx, SHARED_PREFIX_BACKFILL)
  })
  t.deepEqual(await snapshot(), written)
})

test.serial('the phone-runs migration writes the same keys, and its backfill the same shared prefixes, as the service', async (t) => {
  const { d } = await broadWorld()
  const snapshot = () => sql<{ customer_id: string, key: string, shared_prefix: number, head_shared_prefix: number | null }[]>(em(),
    'select customer_id, key, shared_prefix, head_shared_prefix from clients_customer_search_key where distributor_id = ? order by customer_id, key', [d.id])
  const written = await snapshot()
  t.true(written.some((r) => r.head_shared_prefix === null))
  t.true(written.some((r) => r.head_shared_prefix !== null && r.head_shared_prefix !== r.shared_prefix))
  await em().transactional(async (tx) => {
    // Back to what clients_0004 left: heads only, their shared prefixes among themselves.
    await sql(tx, 'delete from clients_customer_search_key where distributor_id = ? and head_shared_prefix is null', [d.id])
    await sql(tx, 'update clients_customer_search_key set shared_prefix = head_shared_prefix where distributor_id = ?', [d.id])
    await sql(tx, PHONE_RUNS_INSERT)
    await sql(tx, SEARCH_KEY_BACKFILL)
  })
  t.deepEqual(await snapshot(), written)
})

// ── the CM's Clientes list ──────────────────────────────────────────────────────────────────────

const R = '/admin/api/resources/Customer/actions/list'
async function cm(d: DistributorFixture): Promise<Client> {
  const c = t0.client({ remoteAddress: uniqueIp() })
  await c.enterCm(d.login, d.password, d.id)
  return c
}
const listOf = async (c: Client, query: string) => {
  const res = await c.get(`${R}?${query}`)
  if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`)
  const body = res.json() as { meta: { total: number }, records: { params: { nic: string } }[] }
  return { total: body.meta.total, nics: body.records.map((r) => r.params.nic) }
}

test.serial('CM list: the total shown is the filtered count, and a customer created a moment ago is in the next list and its total', async (t) => {
  const { d } = await broadWorld()
  const c = await cm(d)
  for (const query of ['filters.search=55', 'filters.search=ferreter', 'filters.legalName=pacifico', 'filters.search=5512&filters.color=red', 'filters.search=vieja&sortBy=nic&direction=desc']) {
    const params = new URLSearchParams(query)
    const q = params.get('filters.search') ?? params.get('filters.legalName')!
    const order = params.get('sortBy') === 'nic' ? '(c.nic)::bigint desc' : 'c.created_at desc'
    let all = await reference(d.id, q, order)
    if (params.get('filters.color')) {
      const red = new Set((await sql<{ nic: string }[]>(em(), `select nic from clients_customer where distributor_id = ? and color = 'red'`, [d.id])).map((r) => r.nic))
      all = all.filter((nic) => red.has(nic))
    }
    const got = await listOf(c, `${query}&perPage=10&page=2`)
    t.is(got.total, all.length, query)
    t.deepEqual(got.nics, all.slice(10, 20), query)
  }
  const before = await listOf(c, 'filters.search=ferreter')
  const fresh = await customers().create(em(), d.id, { legalName: 'Ferretería Recién Llegada', rfc: 'XAXX010101000' })
  const after = await listOf(c, 'filters.search=ferreter')
  t.is(after.total, before.total + 1)
  t.is(after.nics[0], fresh.nic)
})
