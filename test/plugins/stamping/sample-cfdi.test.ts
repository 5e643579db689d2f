import test from 'ava'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { mexicoCityNow } from '../../../plugins/stamping/cfdi/validate.js'
import { repoRoot, tempDir } from '../../helpers/process.js'
import { b64 } from '../../helpers/cfdi.js'
import { Stamping, startStampingApp } from './helpers.js'
import type { TestApp } from '../../helpers/app.js'

// docs/sample-cfdi.xml and the README's recipe for it (today's Fecha in, then POST /stamp) keep
// working: the sandbox stamps it, and refuses it for each rule the README states.

let t0: TestApp
let s: Stamping
test.before(async () => { t0 = await startStampingApp(); s = new Stamping(t0) })
test.after.always(() => t0?.close())

const sample = readFileSync(path.join(repoRoot, 'docs/sample-cfdi.xml'), 'utf8')
const withFecha = (xml: string, fecha: string) => xml.replace(/Fecha="[^"]*"/, `Fecha="${fecha}"`)

test('the README\'s recipe puts today\'s Fecha in docs/sample-cfdi.xml, and the sandbox stamps it', async (t) => {
  t.is(sample.match(/Fecha="/g)?.length, 1, 'one Fecha attribute, which the recipe replaces')
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8')
  const recipe = readme.split('\n').filter((l) => /^FECHA=|^sed .*sample-cfdi\.xml/.test(l))
  t.is(recipe.length, 2, 'README shows FECHA=… and sed … docs/sample-cfdi.xml > factura.xml')
  const tmp = tempDir()
  try {
    const out = path.join(tmp.dir, 'factura.xml')
    execFileSync('bash', ['-c', recipe.join('\n').replace('> factura.xml', `> ${out}`)], { cwd: repoRoot })
    const xml = readFileSync(out, 'utf8')
    t.regex(/Fecha="([^"]*)"/.exec(xml)![1], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/)
    const d = await s.distributor(10)
    const { cti } = await s.customer(d)
    await s.transfer(d, cti, 1)
    const res = await s.stamp(cti, { xml: b64(xml), idd: 'F-1' })
    t.is(res.statusCode, 200, res.body)
    t.regex(res.json().uuid, /^[0-9A-F-]{36}$/)
    t.true(Buffer.from(res.json().xml, 'base64').toString('utf8').includes('TimbreFiscalDigital'))
    t.is(res.json().balance, 0)
  } finally { tmp.remove() }
})

test('the sandbox\'s rules as the sample\'s comment states them: Fecha within 72 hours, a non-empty Sello', async (t) => {
  const d = await s.distributor(10)
  const { cti } = await s.customer(d)
  await s.transfer(d, cti, 5)
  const as = (xml: string) => s.stamp(cti, { xml: b64(xml) })
  const old = await as(sample.replace('Folio="1"', 'Folio="2"'))   // as committed: its Fecha is long past
  t.is(old.statusCode, 422)
  t.is(old.json().error.code, 'cfdi_fecha_out_of_range')
  const daysAgo = (h: number) => mexicoCityNow(new Date(Date.now() - h * 3_600_000))
  t.is((await as(withFecha(sample.replace('Folio="1"', 'Folio="3"'), daysAgo(73)))).json().error.code, 'cfdi_fecha_out_of_range')
  const noSello = await as(withFecha(sample, mexicoCityNow()).replace(/Sello="[^"]*"/, 'Sello=""'))
  t.is(noSello.json().error.code, 'cfdi_sello_missing')
  const fresh = await as(withFecha(sample.replace('Folio="1"', 'Folio="4"'), daysAgo(71)))
  t.is(fresh.statusCode, 200, fresh.body)
  t.is(await s.balanceOf(cti), 4)   // only the accepted one was charged
})
