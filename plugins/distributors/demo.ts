import { randomBytes } from 'node:crypto'
import { Rfc } from '@nodecfdi/rfc'
import { isValidRfc } from '../clients/index.js'
import type { DemoSeeder, PluginContext } from '../../core/plugin-api.js'
import { MULTILEVEL, type DistributorsService } from './services/distributors.js'

/** A valid RFC (persona moral) for demo data: the format with its check digit. */
export function demoRfc(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  const pick = () => letters[randomBytes(1)[0] % 26]
  const yy = String(randomBytes(1)[0] % 100).padStart(2, '0')
  const mm = String(1 + (randomBytes(1)[0] % 12)).padStart(2, '0')
  const dd = String(1 + (randomBytes(1)[0] % 28)).padStart(2, '0')
  const body = `${pick()}${pick()}${pick()}${yy}${mm}${dd}${pick()}${pick()}`
  const rfc = body + Rfc.unparsed(`${body}0`).calculateChecksum()
  // A random trio of letters may spell a word the SAT never assigns: draw again.
  return isValidRfc(rfc) ? rfc : demoRfc()
}

/**
 * Under each demo distributor, a three-level network: two active sub-distributors, and under the
 * first one an active sub-sub-distributor; each with its own member (login and password in the
 * JSON) and "MKL Multi-nivel" for the ones that have sub-distributors.
 */
export const distributorsDemo = (ctx: PluginContext, service: DistributorsService): DemoSeeder => ({
  async seed(em, top) {
    const password = `demo-${randomBytes(6).toString('base64url')}`
    const run = randomBytes(3).toString('hex')
    const mobile = () => `+52 55 ${String(10_000_000 + (randomBytes(4).readUInt32BE() % 89_999_999))}`
    const network: Record<string, unknown>[] = []
    const granted = new Set<string>()
    const add = async (parentId: string, label: string) => {
      return em.transactional(async (tx) => {
        if (!granted.has(parentId)) await ctx.entitlements.grant(tx, { distributorId: parentId, key: MULTILEVEL, source: 'demo' })
        granted.add(parentId)
        const login = `sub-${label.toLowerCase()}-${run}@demo.cuentamaestra.mx`
        const mob = mobile()
        await ctx.identity.createProfile(tx, { email: login, mobile: mob, name: `Usuario ${label} ${run}`, password }, { verified: true })
        const created = await service.create(tx, { distributorId: parentId }, { email: login, mobile: mob, legalName: `Subdistribuidor ${label} ${run} S.A. de C.V.`, rfc: demoRfc() })
        const active = await service.transition(tx, { distributorId: parentId }, created.id, 'activate')
        network.push({ id: active.id, parentId, login, password, state: active.state })
        return active
      })
    }
    const first = await add(top.id, '1')
    await add(top.id, '2')
    await add(first.id, '1-1')
    const d = await ctx.directory.get(em, top.id)
    return { parentId: d?.parentId ?? null, network }
  },
})
