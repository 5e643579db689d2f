import { sql } from '../db/sql.js'
import type { EntityManager } from '@mikro-orm/postgresql'
import { FULL_TIER } from '../../config/tiers.js'
import { DistributorSchema, ProfileSchema, type Distributor } from './entities.js'
import { IdentityService, randomToken } from './service.js'

/** The platform is the root distributor; staff are its members. Idempotent, race-safe. */
export async function ensureRootDistributor(em: EntityManager): Promise<Distributor> {
  await sql(em, 
    `insert into core_distributor (name, is_root, state, tier) values ('Plataforma', true, 'active', ?) on conflict do nothing`, [FULL_TIER])
  return em.findOneOrFail(DistributorSchema, { isRoot: true })
}

export async function createStaff(em: EntityManager, input: { email: string, mobile: string, password: string, name?: string }) {
  const identity = new IdentityService()
  return em.transactional(async (tx) => {
    const root = await ensureRootDistributor(tx)
    const profile = await identity.createProfile(tx, { ...input, name: input.name ?? 'Personal de la plataforma' }, { verified: true })
    await identity.addMember(tx, root.id, profile.id)
    return profile
  })
}

/**
 * An empty database gets a first staff profile so someone can sign in: from CM_ADMIN_EMAIL /
 * CM_ADMIN_PASSWORD, or a generated password returned to be printed once.
 */
export async function ensureFirstStaff(em: EntityManager, env: NodeJS.ProcessEnv): Promise<{ email: string, password: string, generated: boolean } | null> {
  return em.transactional(async (tx) => {
    // Processes started together would each count no profile and create the same one; all but one
    // would then fail to start on the unique email. One at a time: the others find it made.
    await sql(tx, 'select pg_advisory_xact_lock(hashtext(?))', ['core_first_staff'])
    await ensureRootDistributor(tx)
    if (await tx.count(ProfileSchema, {})) return null
    const email = env.CM_ADMIN_EMAIL ?? 'admin@cuentamaestra.local'
    const mobile = env.CM_ADMIN_MOBILE ?? '+52 55 1000 0000'
    const generated = !env.CM_ADMIN_PASSWORD
    const password = env.CM_ADMIN_PASSWORD ?? randomToken(12)
    await createStaff(tx, { email, mobile, password })
    return { email, password, generated }
  })
}
