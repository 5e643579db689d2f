import { inject, type InjectOptions, type Response } from 'light-my-request'
import { randomBytes } from 'node:crypto'
import { startApp, type App } from '../../core/app.js'
import { defaultTheme } from '../../themes/default/theme.js'
import { IdentityService, hashPassword } from '../../core/identity/service.js'
import { createStaff, ensureRootDistributor } from '../../core/identity/bootstrap.js'
import { FULL_TIER } from '../../config/tiers.js'
import type { KernelConfig } from '../../core/kernel/boot.js'
import type { HttpOptions } from '../../core/http/app.js'
import type { Message, Transport } from '../../core/kernel/plugin.js'
import { baseKernelConfig, freshDatabase } from './db.js'

export interface TestApp {
  app: App
  inject(opts: InjectOptions): Promise<Response>
  /** A browser-like client: keeps cookies, reads CSRF tokens from pages; `defaults` go into every request (e.g. remoteAddress). */
  client(defaults?: Partial<InjectOptions>): Client
  fixtures: Fixtures
  outbox: Message[]
  close(): Promise<void>
}

/** Records messages instead of writing files. */
class MemoryTransport implements Transport {
  readonly sent: Message[] = []
  async send(m: Message) { this.sent.push(m) }
}

export async function startTestApp(opts: { admin?: boolean, kernel?: Partial<KernelConfig>, http?: Partial<Omit<HttpOptions, 'admin'>> } = {}): Promise<TestApp> {
  const db = await freshDatabase()
  const transport = new MemoryTransport()
  let app: App
  try {
    app = await startApp(baseKernelConfig({ ...db.config, transport, ...opts.kernel }), { theme: defaultTheme, ...opts.http, admin: opts.admin ?? false })
  } catch (e) { await db.drop(); throw e }
  const injectFn = (o: InjectOptions) => inject(app.http.app as never, o)
  return {
    app,
    inject: injectFn,
    client: (defaults?: Partial<InjectOptions>) => new Client(injectFn, defaults),
    fixtures: new Fixtures(app),
    outbox: transport.sent,
    close: async () => { await app.close(); await db.drop() },
  }
}

const uniq = () => randomBytes(5).toString('hex')
let mobileCounter = Math.floor(Math.random() * 1_000_000)
/** A unique valid Mexican mobile for this process. */
export const uniqueMobile = () => `+52 55 ${String(10_000_000 + ((process.pid * 7919 + mobileCounter++) % 89_999_999)).padStart(8, '0')}`

export interface DistributorFixture { id: string, name: string, login: string, mobile: string, password: string, token: string, profileId: string }

/** Rows for tests, written through the same services the app uses. */
export class Fixtures {
  private readonly identity = new IdentityService()
  private passwordHash?: Promise<string>
  static readonly PASSWORD = 'correcto-caballo-bateria'
  constructor(private readonly app: App) {}

  private em() { return this.app.kernel.orm.em.fork() }
  private hash() { return (this.passwordHash ??= hashPassword(Fixtures.PASSWORD)) }

  async profile(overrides: { email?: string, mobile?: string, name?: string } = {}) {
    const email = overrides.email ?? `p-${uniq()}@example.mx`
    const p = await this.identity.createProfile(this.em(), { email, mobile: overrides.mobile ?? uniqueMobile(), name: overrides.name ?? 'Perfil de prueba', password: Fixtures.PASSWORD }, { passwordHash: await this.hash() })
    return { ...p, login: p.email, password: Fixtures.PASSWORD }
  }

  async distributor(opts: { tier?: string, name?: string, state?: 'active' | 'suspended' } = {}): Promise<DistributorFixture> {
    const em = this.em()
    const root = await ensureRootDistributor(em)
    const d = await this.app.kernel.directory.create(em, { name: opts.name ?? `Distribuidor ${uniq()}`, tier: opts.tier ?? FULL_TIER, parentId: root.id, state: opts.state })
    const p = await this.profile()
    await this.identity.addMember(this.em(), d.id, p.id)
    const { token } = await this.identity.createApiToken(this.em(), p.email, d.id)
    return { id: d.id, name: d.name, login: p.email, mobile: p.mobile, password: Fixtures.PASSWORD, token, profileId: p.id }
  }

  async staff() {
    const email = `staff-${uniq()}@example.mx`
    const p = await createStaff(this.em(), { email, mobile: uniqueMobile(), password: Fixtures.PASSWORD })
    return { ...p, login: email, password: Fixtures.PASSWORD }
  }
}

/** The `_csrf` hidden input of a page's HTML. */
export const csrfTokenOf = (html: string): string | undefined => /name="_csrf" value="([^"]+)"/.exec(html)?.[1]

/** A cookie-keeping client over inject, like a browser session. */
export class Client {
  readonly cookies = new Map<string, string>()
  constructor(private readonly send: (o: InjectOptions) => Promise<Response>, private readonly defaults: Partial<InjectOptions> = {}) {}

  async request(o: InjectOptions): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const res = await this.send({ ...this.defaults, ...o, headers: { ...this.defaults.headers, ...(cookie ? { cookie } : {}), ...(o.headers ?? {}) } } as InjectOptions)
    for (const c of res.cookies as { name: string, value: string, expires?: Date }[]) {
      if (c.expires && c.expires.getTime() < Date.now()) this.cookies.delete(c.name)
      else this.cookies.set(c.name, c.value)
    }
    return res
  }

  get(url: string, headers: Record<string, string> = {}) { return this.request({ method: 'GET', url, headers }) }

  /** The `_csrf` hidden input of the page at url. */
  async csrf(url = '/login'): Promise<string> {
    const res = await this.get(url)
    const token = csrfTokenOf(res.body)
    if (!token) throw new Error(`no _csrf on ${url} (status ${res.statusCode})`)
    return token
  }

  postForm(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })
  }

  async login(login: string, password: string, next?: string): Promise<Response> {
    const _csrf = await this.csrf('/login')
    return this.postForm('/login', { login, password, _csrf, ...(next ? { next } : {}) })
  }

  /** Signs in and chooses the distributor's CM. */
  async enterCm(login: string, password: string, distributorId: string): Promise<void> {
    const res = await this.login(login, password)
    if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode}`)
    if (res.headers.location === '/admin') return
    const _csrf = await this.csrf('/')
    const sw = await this.postForm('/switch', { target: `cm:${distributorId}`, _csrf })
    if (sw.headers.location !== '/admin') throw new Error(`switch failed: ${sw.statusCode} ${sw.headers.location}`)
  }
}
