import test from 'ava'
import { sql } from '../../../core/db/sql.js'
import clients, { CUSTOMER_FIGURES, CUSTOMER_SEARCH } from '../../../plugins/clients/index.js'
import { fold } from '../../../plugins/clients/services/search.js'
import { startTestApp, type DistributorFixture, type TestApp } from '../../helpers/app.js'

// Search, filters, the 12 sort orders and the CSV, with the figures of a test-only source contributed
// through the extension points (so this file needs no stamping or ledger: only clients is installed;
// the sources are contributed in clients' name, since only an installed plugin's contributions are read).

let t0: TestApp
test.before(async () => {
  t0 = await startTestApp({ kernel: { plugins: [{ plugin: clients }] } })
  const em = t0.app.kernel.orm.em.fork()
  await sql(em, `create table test_figures (customer_id uuid primary key, distributor_id uuid not null, balance int not null,
    points bigint not null, purchased_at timestamptz, stamped_at timestamptz)`)
  await sql(em, 'create table test_cti (id varchar(20) primary key, customer_id uuid not null, distributor_id uuid not null)')
  t0.app.kernel.extensions.contribute('clients', CUSTOMER_FIGURES, {
    relation: 'test_figures',
    figures: [
      { key: 'stampBalance', column: 'balance', kind: 'integer', label: 'Saldo de timbres' },
      { key: 'lastStampPurchaseAt', column: 'purchased_at', kind: 'timestamp', label: 'Última compra de timbres' },
      { key: 'lastStampedAt', column: 'stamped_at', kind: 'timestamp', label: 'Última emisión' },
    ],
  })
  // A second source, as a parenthesised SELECT, for the points.
  t0.app.kernel.extensions.contribute('clients', CUSTOMER_FIGURES, {
    relation: '(select customer_id, distributor_id, points as hundredths from test_figures)',
    figures: [{ key: 'points', column: 'hundredths', kind: 'hundredths', label: 'Puntos' }],
  })
  t0.app.kernel.extensions.contribute('clients', CUSTOMER_SEARCH, { relation: 'test_cti', column: 'id' })
})
test.after.always(() => t0?.close())

const auth = (d: DistributorFixture) => ({ authorization: `Bearer ${d.token}` })
const get = (d: DistributorFixture, url: string) => t0.inject({ method: 'GET', url, headers: auth(d) })
const create = async (d: DistributorFixture, body: Record<string, unknown>) => {
  const res = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: auth(d), payload: body })
  if (res.statusCode !== 201) throw new Error(res.body)
  return res.json() as { nic: string, legalName: string }
}
const idOf = async (nic: string) => (await sql<{ id: string }[]>(t0.app.kernel.orm.em.fork(), 'select id from clients_customer where nic = ?', [nic]))[0].id
const nicsOf = async (d: DistributorFixture, query: string) => {
  const res = await get(d, `/api/v1/customers?perPage=100&${query}`)
  if (res.statusCode !== 200) throw new Error(`${query}: ${res.statusCode} ${res.body}`)
  return (res.json().items as { nic: string }[]).map((c) => c.nic)
}
const tag = () => Math.random().toString(36).slice(2, 7)

/** One distributor with a rich customer, and another distributor holding a look-alike. */
async function searchWorld() {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const x = tag()
  const record = (who: string) => ({
    legalName: `Panadería Güemes ${x} ${who} S.A.`, tradeName: `Pan Dulce Ñoño ${x}`, rfc: 'GUE850101AB0'.replace(/0$/, '') + '0',
    phone: '+52 (81) 4455-6677', email: `ventas.${x}@guemes.mx`,
    legalRepresentative: { name: `Rosalía Íñiguez ${x}`, email: `rosalia.${x}@guemes.mx`, phones: ['33 2468 1357'] },
    financialContact: { name: `Tomás Ávila ${x}`, email: `tomas.${x}@conta.mx`, phones: ['222 987 6543'] },
    technicalContact: { name: `Begoña Ruiz ${x}`, email: `bego.${x}@sistemas.mx`, phones: ['999 111 2233'] },
  })
  return { d, other, x, record }
}

test('the search box matches every field, partially, ignoring case and accents; never another distributor\'s customers', async (t) => {
  const { d, other, x, record } = await searchWorld()
  const rfc = 'EKU9003173C9'
  const mine = await create(d, { ...record('mío'), rfc })
  const theirs = await create(other, { ...record('ajeno'), rfc })
  const decoy = await create(d, { legalName: `Otra Empresa ${tag()}`, rfc: 'XAXX010101000', phone: '55 0000 0001' })
  await sql(t0.app.kernel.orm.em.fork(), 'insert into test_cti (id, customer_id, distributor_id) values (?, ?, ?), (?, ?, ?)',
    [`CTI${x.toUpperCase()}01`, await idOf(mine.nic), d.id, `CTI${x.toUpperCase()}02`, await idOf(theirs.nic), other.id])
  const queries: [string, string][] = [
    ['NIC (exact)', mine.nic], ['NIC (prefix)', mine.nic.slice(0, -1)],
    ['legal name (partial)', `güemes ${x} mí`], ['legal name (no accents, upper case)', `PANADERIA GUEMES ${x.toUpperCase()}`],
    ['trade name', `dulce ñoño ${x}`], ['trade name (no accents)', `NONO ${x}`],
    ['RFC', rfc], ['RFC (lower case, prefix)', 'eku900317'],
    ['company phone (digits)', '8144556677'], ['company phone (with country code)', '+52 81 4455 6677'], ['company phone (prefix)', '81 4455'],
    ['company e-mail', `ventas.${x}@guemes`],
    ['legal representative name', `rosalia iñiguez ${x}`], ['legal representative e-mail', `rosalia.${x}@`], ['legal representative phone', '3324681357'],
    ['financial contact name', `tomas avila ${x}`], ['financial contact e-mail', `tomas.${x}@conta.mx`], ['financial contact phone', '222-987-6543'],
    ['technical contact name', `begoña ruiz ${x}`], ['technical contact e-mail', `bego.${x}@sistemas`], ['technical contact phone', '(999) 111 22 33'],
    ['CTI id', `CTI${x.toUpperCase()}0`], ['CTI id (lower case)', `cti${x}01`],
  ]
  for (const [what, q] of queries) {
    const nics = await nicsOf(d, `q=${encodeURIComponent(q)}`)
    t.true(nics.includes(mine.nic), `${what}: ${q}`)
    t.false(nics.includes(theirs.nic), `${what}: another distributor's customer`)
    // NICs come from one sequence, so the decoy's NIC may really start with the prefix of mine
    // (1004 and 1006 share "100"): then it matches, and only then.
    const decoyMatches = what === 'NIC (prefix)' && decoy.nic.startsWith(q)
    t.is(nics.includes(decoy.nic), decoyMatches, `${what}: ${decoyMatches ? 'a customer whose NIC shares the prefix' : 'a customer that does not match'}`)
    // The other distributor finds its own look-alike the same way, never mine.
    const theirNics = await nicsOf(other, `q=${encodeURIComponent(q.replace(mine.nic, theirs.nic).replace(mine.nic.slice(0, -1), theirs.nic.slice(0, -1)).replace(`CTI${x.toUpperCase()}01`, `CTI${x.toUpperCase()}02`).replace(`cti${x}01`, `cti${x}02`).replace(' mí', ' aj'))}`)
    t.true(theirNics.includes(theirs.nic), `${what}: other distributor`)
    t.false(theirNics.includes(mine.nic), `${what}: other distributor sees mine`)
  }
  // The total counts the matches only, and a miss is an empty page.
  const res = (await get(d, `/api/v1/customers?q=${encodeURIComponent(`güemes ${x}`)}`)).json()
  t.is(res.total, 1)
  t.deepEqual((await get(d, `/api/v1/customers?q=zzz${x}qqq`)).json(), { items: [], total: 0, page: 1, perPage: 20 })
  // LIKE wildcards are literal.
  t.deepEqual(await nicsOf(d, `q=${encodeURIComponent('%')}`), [])
  t.deepEqual(await nicsOf(d, `q=${encodeURIComponent('___')}`), [])
})

test('phones match any run of 4+ digits, spaces and dashes ignored; 3 digits inside a phone match nothing; never another distributor\'s', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  // Digits unlike the other fields' (no NIC, RFC, name or e-mail holds these runs).
  const record = (who: string) => ({
    legalName: `Tlapalería ${who} ${tag()}`, rfc: 'XAXX010101000', phone: '33 0803 8669',
    legalRepresentative: { name: null, email: null, phones: ['+52 (81) 7294-6137'] },
    financialContact: { name: null, email: null, phones: ['222-465-9187', '999 318 7246'] },
    technicalContact: { name: null, email: null, phones: ['(477) 826 3915'] },
  })
  const mine = await create(d, record('mía'))
  const decoy = await create(d, { legalName: `Otra ${tag()}`, rfc: 'XAXX010101000', phone: '55 1234 5678' })
  const theirs = await create(other, record('ajena'))
  const found = async (dist: DistributorFixture, q: string) => {
    const res = (await get(dist, `/api/v1/customers?q=${encodeURIComponent(q)}`)).json() as { items: { nic: string }[], total: number }
    t.is(res.total, res.items.length, `${q}: total`)
    return res.items.map((c) => c.nic)
  }
  const runs: [string, string][] = [
    ['company phone without its area code', '08038669'], ['company phone, spaced', '0803 8669'], ['company phone, dashed', '0-8-0-3-8-6-6-9'],
    ['company phone, 4 digits inside', '8038'], ['company phone, last 4', '8669'],
    ['legal representative (country code), inside', '7294-61'], ['legal representative, last 4', '6137'],
    ['financial contact, first phone, inside', '465 918'], ['financial contact, second phone, inside', '3187'],
    ['technical contact, inside', '826-3915'],
  ]
  for (const [what, q] of runs) {
    t.deepEqual(await found(d, q), [mine.nic], `${what}: ${q}`)
    t.deepEqual(await found(other, q), [theirs.nic], `${what}: the other distributor finds its own only`)
  }
  // Three digits inside a phone are not a run; at its start they are a prefix, as before.
  for (const q of ['803', '080', '729', '918', '826']) t.deepEqual(await found(d, q), [], `3 digits inside: ${q}`)
  t.deepEqual(await found(d, '330'), [mine.nic])
  t.deepEqual(await found(d, '551'), [decoy.nic])
  // A run that spans two phones is no run.
  t.deepEqual(await found(d, '2229999'), [])
  // Runs follow edits: the old number's runs no longer find the customer.
  await t0.inject({ method: 'PATCH', url: `/api/v1/customers/${mine.nic}`, headers: auth(d), payload: { phone: '33 6060 7070', financialContact: { phones: [] } } })
  t.deepEqual(await found(d, '08038669'), [])
  t.deepEqual(await found(d, '3187'), [])
  t.deepEqual(await found(d, '6060 70'), [mine.nic])
  t.deepEqual(await found(d, '7294-61'), [mine.nic])
})

test('search follows edits: an old name or phone no longer finds the customer, the new one does', async (t) => {
  const d = await t0.fixtures.distributor()
  const x = tag()
  const c = await create(d, { legalName: `Viejo Nombre ${x}`, rfc: 'XAXX010101000', phone: '55 7777 8888' })
  await t0.inject({ method: 'PATCH', url: `/api/v1/customers/${c.nic}`, headers: auth(d), payload: { legalName: `Nuevo Nombre ${x}`, phone: '55 6666 9999', technicalContact: { phones: ['81 1212 3434'] } } })
  t.deepEqual(await nicsOf(d, `q=viejo nombre ${x}`), [])
  t.deepEqual(await nicsOf(d, 'q=5577778888'), [])
  t.deepEqual(await nicsOf(d, `q=nuevo nombre ${x}`), [c.nic])
  t.deepEqual(await nicsOf(d, 'q=5566669999'), [c.nic])
  t.deepEqual(await nicsOf(d, 'q=8112123434'), [c.nic])
})

test('bulk-created customers are searchable too (createMany writes the same keys and text)', async (t) => {
  const d = await t0.fixtures.distributor()
  const x = tag()
  const nics = await t0.app.kernel.contexts.get('clients')!.use('clients').customers.createMany(t0.app.kernel.orm.em.fork(), d.id, [
    { legalName: `Lote Ácido ${x}`, rfc: 'XAXX010101000', phone: '55 4321 0000', financialContact: { name: 'Zoé Lote', email: null, phones: ['81 5555 0000'] } },
    { legalName: `Lote Básico ${x}`, rfc: 'EKU9003173C9', tradeName: null, phone: null },
  ])
  t.deepEqual(await nicsOf(d, `q=lote acido ${x}`), [nics[0]])
  t.deepEqual(await nicsOf(d, 'q=5543210000'), [nics[0]])
  t.deepEqual(await nicsOf(d, 'q=8155550000'), [nics[0]])
  t.deepEqual(await nicsOf(d, 'q=zoe lote'), [nics[0]])
  t.deepEqual(await nicsOf(d, `q=${nics[1]}`), [nics[1]])
  t.deepEqual((await nicsOf(d, `q=lote ${x}`)).length, 0, 'words must be adjacent: the box is one phrase')
  t.deepEqual((await nicsOf(d, `q=básico ${x}`)), [nics[1]])
})

test('filters by colour and category, alone, together and with the search box', async (t) => {
  const d = await t0.fixtures.distributor()
  const x = tag()
  const mk = (n: string, extra: Record<string, unknown>) => create(d, { legalName: `${n} ${x}`, rfc: 'XAXX010101000', ...extra })
  const a = await mk('Rojo Favorito', { color: 'red', category: 'favorite' })
  const b = await mk('Rojo Baja', { color: 'red', category: 'dropped' })
  const c = await mk('Azul Favorito', { color: 'blue', category: 'favorite' })
  const e = await mk('Sin Nada', {})
  const set = async (q: string) => (await nicsOf(d, q)).sort()
  t.deepEqual(await set('color=red'), [a.nic, b.nic].sort())
  t.deepEqual(await set('category=favorite'), [a.nic, c.nic].sort())
  t.deepEqual(await set('color=red&category=favorite'), [a.nic])
  t.deepEqual(await set('category=dropped'), [b.nic])
  t.deepEqual(await set(`color=blue&q=favorito ${x}`), [c.nic])
  t.deepEqual(await set('color=purple'), [])
  t.deepEqual(await set(''), [a.nic, b.nic, c.nic, e.nic].sort())
  t.is((await get(d, '/api/v1/customers?color=red')).json().total, 2)
})

test('unknown sort, colour or category, and repeated parameters, are 400', async (t) => {
  const d = await t0.fixtures.distributor()
  for (const q of ['sort=balance', 'sort=-', 'sort=--nic', 'sort=legalname', 'sort=distributorId', 'sort=nic&sort=-nic', 'color=pink', 'color=RED',
    'category=vip', 'category=favorite&category=dropped', 'q=a&q=b', `q=${'x'.repeat(201)}`]) {
    const res = await get(d, `/api/v1/customers?${q}`)
    t.is(res.statusCode, 400, q)
    t.is(res.json().error.code, 'bad_request', q)
    t.is((await get(d, `/api/v1/customers.csv?${q}`)).statusCode, 400, `csv ${q}`)
  }
  for (const q of ['sort=', 'color=', 'category=', 'q=']) t.is((await get(d, `/api/v1/customers?${q}`)).statusCode, 200, q)
})

// ── the 12 sort orders ──────────────────────────────────────────────────────────────────────────

interface Row { nic: string, name: string, balance: number | null, points: number | null, purchased: Date | null, stamped: Date | null, created: Date }

/** The rule: missing figure rows read as 0 / null; nulls last in both directions; ties by NIC ascending. */
function expected(rows: Row[], key: string, desc: boolean): string[] {
  const value = (r: Row): number | string | null => {
    switch (key) {
      case 'legalName': return fold(r.name)
      case 'nic': return Number(r.nic)
      case 'stampBalance': return r.balance ?? 0
      case 'points': return r.points ?? 0
      case 'lastStampPurchaseAt': return r.purchased?.getTime() ?? null
      case 'lastStampedAt': return r.stamped?.getTime() ?? null
      default: return r.created.getTime()
    }
  }
  return [...rows].sort((a, b) => {
    const va = value(a), vb = value(b)
    if (va === null && vb !== null) return 1
    if (vb === null && va !== null) return -1
    if (va !== null && vb !== null && va !== vb) return (va < vb ? -1 : 1) * (desc ? -1 : 1)
    return key === 'nic' && desc ? Number(b.nic) - Number(a.nic) : Number(a.nic) - Number(b.nic)
  }).map((r) => r.nic)
}

test('every sort order, up and down, with ties, nulls and missing figure rows', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const em = t0.app.kernel.orm.em.fork()
  const day = (n: number) => new Date(Date.UTC(2024, 0, n))
  // [name, balance, points (hundredths), purchased, stamped]; null balance = no figure row at all.
  const spec: [string, number | null, number, Date | null, Date | null][] = [
    ['Ángel Ferretería', 10, 150, day(3), day(5)],
    ['angel ferreteria', 10, 150, day(3), null], // same name folded, same figures: ties by NIC
    ['Zapatería Zeta', 0, 0, null, day(2)],
    ['Bodega Beta', 250, 99, day(1), day(9)],
    ['Ópalo Óptica', null, 0, null, null], // no row: balance 0, points "0.00", dates null
    ['Casa Carmona', 0, 10_000, day(8), day(9)],
    ['Dulcería Delta', 3, 150, day(3), null],
    ['Saldo Negativo', -5, -20, day(2), day(1)], // a source may hold negatives: they sort below the zeros
  ]
  const rows: Row[] = []
  for (const [name, balance, points, purchased, stamped] of spec) {
    const c = await create(d, { legalName: name, rfc: 'XAXX010101000' })
    const id = await idOf(c.nic)
    if (balance !== null) await sql(em, 'insert into test_figures values (?, ?, ?, ?, ?, ?)', [id, d.id, balance, points, purchased, stamped])
    const [{ created_at }] = await sql<{ created_at: Date }[]>(em, 'select created_at from clients_customer where id = ?', [id])
    rows.push({ nic: c.nic, name, balance, points: balance === null ? null : points, purchased, stamped, created: new Date(created_at) })
  }
  // Two customers created in one batch share their sign-up instant: a tie broken by NIC.
  const batch = await t0.app.kernel.contexts.get('clients')!.use('clients').customers.createMany(em, d.id, [
    { legalName: 'Lote Uno', rfc: 'XAXX010101000' }, { legalName: 'Lote Dos', rfc: 'XAXX010101000' }])
  for (const nic of batch) {
    const [{ created_at, legal_name }] = await sql<{ created_at: Date, legal_name: string }[]>(em, 'select created_at, legal_name from clients_customer where nic = ?', [nic])
    rows.push({ nic, name: legal_name, balance: null, points: null, purchased: null, stamped: null, created: new Date(created_at) })
  }
  // Another distributor's customer with extreme figures never shows up in any order.
  const foreign = await create(other, { legalName: 'AAA Ajeno', rfc: 'XAXX010101000' })
  await sql(em, 'insert into test_figures values (?, ?, ?, ?, ?, ?)', [await idOf(foreign.nic), other.id, 1_000_000, 1_000_000, day(30), day(30)])

  for (const key of ['legalName', 'nic', 'stampBalance', 'points', 'lastStampPurchaseAt', 'createdAt', 'lastStampedAt']) {
    for (const desc of [false, true]) {
      const sort = `${desc ? '-' : ''}${key}`
      const got = await nicsOf(d, `sort=${sort}`)
      t.deepEqual(got, expected(rows, key, desc), sort)
      // Pages cut the same order.
      const page2 = (await get(d, `/api/v1/customers?sort=${sort}&perPage=3&page=2`)).json()
      t.deepEqual(page2.items.map((c: { nic: string }) => c.nic), got.slice(3, 6), `${sort} page 2`)
      t.is(page2.total, rows.length)
      // Every page of every size (pages cross the segments a figure sort is read in).
      for (const perPage of [1, 2, 4]) {
        for (let page = 1; (page - 1) * perPage < rows.length + perPage; page++) {
          const items = (await get(d, `/api/v1/customers?sort=${sort}&perPage=${perPage}&page=${page}`)).json().items as { nic: string }[]
          t.deepEqual(items.map((c) => c.nic), got.slice((page - 1) * perPage, page * perPage), `${sort} perPage ${perPage} page ${page}`)
        }
      }
    }
  }
  // Figures in the JSON: the contributed values, or the defaults for a missing row.
  const byNic = new Map<string, Record<string, unknown>>(((await get(d, '/api/v1/customers?perPage=100')).json().items as { nic: string }[]).map((c) => [c.nic, c]))
  t.like(byNic.get(rows[3].nic), { stampBalance: 250, points: '0.99', lastStampPurchaseAt: day(1).toISOString(), lastStampedAt: day(9).toISOString() })
  t.like(byNic.get(rows[5].nic), { stampBalance: 0, points: '100.00' })
  t.like(byNic.get(rows[4].nic), { stampBalance: 0, points: '0.00', lastStampPurchaseAt: null, lastStampedAt: null })
  t.like((await get(d, `/api/v1/customers/${rows[0].nic}`)).json(), { stampBalance: 10, points: '1.50' })
  // The default order is newest first.
  t.deepEqual(await nicsOf(d, ''), expected(rows, 'createdAt', true))
})

// ── CSV export ──────────────────────────────────────────────────────────────────────────────────

/** Minimal CSV reader (quotes, doubled quotes, CRLF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = [], cell = '', quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++ } else if (ch === '"') quoted = false; else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') { row.push(cell); cell = '' }
    else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++ }
    else cell += ch
  }
  return rows
}

test('CSV: the filtered list in list order, with figures; formulas neutralised; only the caller\'s customers', async (t) => {
  const d = await t0.fixtures.distributor()
  const other = await t0.fixtures.distributor()
  const x = tag()
  const evil = await create(d, { legalName: `=cmd|' /C calc'!A0 ${x}`, tradeName: '+SUM(1,2)', rfc: 'XAXX010101000', notes: '@import "x"\n-2+3', color: 'red',
    legalRepresentative: { name: '-1+1 "comillas", y coma', email: null, phones: [] } })
  const plain = await create(d, { legalName: `Normal ${x}`, rfc: 'XAXX010101000', color: 'red' })
  await create(d, { legalName: `Azul ${x}`, rfc: 'XAXX010101000', color: 'blue' })
  await create(other, { legalName: `Ajeno ${x}`, rfc: 'XAXX010101000', color: 'red' })
  await sql(t0.app.kernel.orm.em.fork(), 'insert into test_figures values (?, ?, 7, 1234, null, null)', [await idOf(plain.nic), d.id])

  const res = await get(d, '/api/v1/customers.csv?color=red&sort=nic')
  t.is(res.statusCode, 200)
  t.regex(String(res.headers['content-type']), /^text\/csv/)
  t.regex(String(res.headers['content-disposition']), /attachment/)
  const rows = parseCsv(res.body.replace(/^\ufeff/, ''))
  t.is(rows[0][0], 'NIC')
  t.is(rows[0][1], 'Razón social')
  t.deepEqual(rows.slice(1).map((r) => r[0]), [evil.nic, plain.nic])
  const [e, p] = rows.slice(1)
  t.is(e[1], `'=cmd|' /C calc'!A0 ${x}`)
  t.is(e[2], "'+SUM(1,2)")
  t.is(e[9], `'-1+1 "comillas", y coma`)
  t.is(e[18], `'@import "x"\n-2+3`)
  for (const r of rows.slice(1)) for (const cell of r) t.false(/^[=+\-@]/.test(cell), cell)
  const header = rows[0]
  t.is(p[header.indexOf('Saldo de timbres')], '7')
  t.is(p[header.indexOf('Puntos')], '12.34')
  t.is(p[header.indexOf('Color')], 'Rojo')
  t.false(res.body.includes(`Ajeno ${x}`))
  t.false(res.body.includes(`Azul ${x}`))
  // Search applies too; and the other distributor's export has only its own.
  t.deepEqual(parseCsv((await get(d, `/api/v1/customers.csv?q=normal ${x}`)).body).slice(1).map((r) => r[0]), [plain.nic])
  const theirs = (await get(other, '/api/v1/customers.csv')).body
  t.true(theirs.includes(`Ajeno ${x}`))
  t.false(theirs.includes(`Normal ${x}`))
  t.is((await t0.inject({ method: 'GET', url: '/api/v1/customers.csv' })).statusCode, 401)
})
