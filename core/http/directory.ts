import type { MikroORM } from '@mikro-orm/postgresql'
import { DistributorSchema, ProfileSchema, type Distributor } from '../identity/entities.js'
import { IdentityService } from '../identity/service.js'
import { pluginsOfTier } from '../kernel/tiers.js'
import type { TierConfig } from '../../config/tiers.js'
import type { Actor } from './types.js'

const TTL_MS = 30_000

/**
 * Resolves (profile, distributor) into an Actor with the tier's plugins. Distributor rows are cached
 * briefly so a tier or state change takes effect within TTL_MS without signing in again.
 */
export class Directory {
  private readonly cache = new Map<string, { at: number, d: Distributor | null }>()
  constructor(private readonly orm: MikroORM, private readonly tiers: TierConfig, private readonly installed: readonly string[], private readonly identity = new IdentityService()) {}

  invalidate(distributorId?: string) { if (distributorId) this.cache.delete(distributorId); else this.cache.clear() }

  async distributor(id: string): Promise<Distributor | null> {
    const hit = this.cache.get(id)
    if (hit && Date.now() - hit.at < TTL_MS) return hit.d
    const d = await this.orm.em.fork().findOne(DistributorSchema, { id })
    this.cache.set(id, { at: Date.now(), d })
    return d
  }

  pluginsFor(d: Distributor): string[] {
    return pluginsOfTier(this.tiers, d.tier, this.installed)
  }

  /** A distributor can use the CM while active; the platform (root) always. */
  isUsable(d: Distributor): boolean {
    if (d.isRoot) return true
    if (d.state !== 'active') return false
    return !d.cmExpiresAt || new Date(d.cmExpiresAt).getTime() + 86_400_000 > Date.now()
  }

  /** Null when the profile is not a member or the distributor cannot use the CM. */
  async actor(profileId: string, distributorId: string): Promise<Actor | null> {
    const em = this.orm.em.fork()
    const d = await this.distributor(distributorId)
    if (!d || !this.isUsable(d)) return null
    if (!await this.identity.isMember(em, profileId, distributorId)) return null
    const p = await em.findOne(ProfileSchema, { id: profileId })
    if (!p) return null
    return {
      profileId: p.id, email: p.email, mobile: p.mobile, name: p.name,
      distributorId: d.id, distributorName: d.name, distributorParentId: d.parentId ?? null, distributorState: d.state, isStaff: d.isRoot, tier: d.tier, plugins: this.pluginsFor(d),
    }
  }
}
