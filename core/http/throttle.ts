import { RateLimiterPostgres } from 'rate-limiter-flexible'
import type { MikroORM } from '@mikro-orm/postgresql'

const WINDOW_S = 15 * 60
export const ACCOUNT_FAILURES = 5
export const IP_FAILURES = 50

/**
 * Sign-in throttling in PostgreSQL (core_throttle), through the ORM's knex: per account, the 6th
 * failure within 15 minutes and every attempt after it is refused, even with the right password; per
 * IP a higher limit because offices share an address. A success clears the account's count.
 */
export class LoginThrottle {
  private readonly byAccount: RateLimiterPostgres
  private readonly byIp: RateLimiterPostgres

  constructor(orm: MikroORM) {
    const common = { storeClient: orm.em.getConnection().getKnex(), storeType: 'knex', tableName: 'core_throttle', tableCreated: true, clearExpiredByTimeout: false, duration: WINDOW_S }
    this.byAccount = new RateLimiterPostgres({ ...common, keyPrefix: 'login_account', points: ACCOUNT_FAILURES })
    this.byIp = new RateLimiterPostgres({ ...common, keyPrefix: 'login_ip', points: IP_FAILURES })
  }

  /** True when this attempt must be refused before the password is even checked. */
  async isBlocked(account: string, ip: string): Promise<boolean> {
    const [a, i] = await Promise.all([this.byAccount.get(account), this.byIp.get(ip)])
    return (a?.consumedPoints ?? 0) >= ACCOUNT_FAILURES || (i?.consumedPoints ?? 0) >= IP_FAILURES
  }

  async failed(account: string, ip: string): Promise<void> {
    // consume() rejects once over the limit; the count is what matters, not the rejection.
    await Promise.all([this.byAccount.consume(account).catch(() => {}), this.byIp.consume(ip).catch(() => {})])
  }

  async succeeded(account: string): Promise<void> {
    await this.byAccount.delete(account)
  }
}
