import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible'
import type { MikroORM } from '@mikro-orm/postgresql'

const WINDOW_S = 15 * 60
export const ACCOUNT_FAILURES = 5
export const IP_FAILURES = 50

/**
 * Points used after a consume (or a get: null when the key has none); over the limit
 * rate-limiter-flexible rejects with the same figure.
 */
export const used = (p: Promise<RateLimiterRes | null>) =>
  p.then((r) => r?.consumedPoints ?? 0, (e) => { if (e instanceof RateLimiterRes) return e.consumedPoints; throw e })

/**
 * Sign-in throttling in PostgreSQL (core_throttle), through the ORM's knex: per account, the 6th
 * failure within 15 minutes and every attempt after it is refused, even with the right password; per
 * IP a higher limit because offices share an address. A success clears the account's count.
 *
 * An attempt is counted before the password is checked, in one atomic upsert: checking first and
 * counting after the (slow) hash let parallel guesses all pass the check. A success gives back what
 * it counted, so only failures remain.
 */
export class LoginThrottle {
  private readonly byAccount: RateLimiterPostgres
  private readonly byIp: RateLimiterPostgres

  constructor(orm: MikroORM) {
    const common = { storeClient: orm.em.getConnection().getKnex(), storeType: 'knex', tableName: 'core_throttle', tableCreated: true, clearExpiredByTimeout: false, duration: WINDOW_S }
    this.byAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'login_account', points: ACCOUNT_FAILURES })
    this.byIp = new RateLimiterPostgres({ ...common, keyPrefix: 'login_ip', points: IP_FAILURES })
  }

  /** Counts an attempt; false when it must be refused before the password is even checked. */
  async attempt(account: string, ip: string): Promise<boolean> {
    if (await used(this.byIp.consume(ip)) > IP_FAILURES) return false
    if (await used(this.byAccount.consume(account)) > ACCOUNT_FAILURES) {
      // Refused without a guess: it does not count against the office's shared address.
      await this.byIp.reward(ip, 1)
      return false
    }
    return true
  }

  async succeeded(account: string, ip: string): Promise<void> {
    await Promise.all([this.byAccount.delete(account), this.byIp.reward(ip, 1)])
  }
}
