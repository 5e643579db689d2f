import session from 'express-session'
import { ConnectSessionKnexStore } from 'connect-session-knex'
import type { MikroORM } from '@mikro-orm/postgresql'
import type { RequestHandler } from 'express'
import type { Logger } from '../kernel/logger.js'
import { csrf } from './csrf.js'

export const SESSION_COOKIE = 'cm.sid'
const MAX_AGE_MS = 8 * 60 * 60 * 1000
const CLEANUP_INTERVAL_MS = 10 * 60 * 1000

/**
 * Sessions in PostgreSQL through the ORM's own knex (so the embedded database's single connection is
 * shared, never a second pool). Cookie: HttpOnly, SameSite=Lax, Secure when the request came over
 * HTTPS (express's req.secure, which honours `trust proxy`).
 */
export function sessionMiddleware(orm: MikroORM, secret: string, log?: Logger): { middleware: RequestHandler, close(): Promise<void> } {
  const knex = orm.em.getConnection().getKnex()
  // The store's own cleanup timer cannot be awaited: a cleanup in flight at shutdown then runs on a
  // destroyed pool (KnexTimeoutError) and re-arms itself. We run it ourselves, so close() can wait.
  const store = new ConnectSessionKnexStore({ knex, tableName: 'core_session', createTable: false, cleanupInterval: 0 })
  let closed = false
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> = store.ready.then(() => cleanup(), (e) => { log?.error('session store not ready', { error: String(e) }) })
  async function cleanup() {
    try {
      await knex('core_session').where('expired', '<', new Date()).del()
    } catch (e) {
      if (!closed) log?.warn('expired session cleanup failed', { error: String(e) })
    }
    if (!closed) timer = setTimeout(() => { running = cleanup() }, CLEANUP_INTERVAL_MS).unref()
  }
  const middleware = session({
    name: SESSION_COOKIE,
    secret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: MAX_AGE_MS, path: '/' },
  })
  return {
    middleware,
    close: async () => {
      closed = true
      clearTimeout(timer)
      await running.catch(() => {})
    },
  }
}

/**
 * A new session id, born with its CSRF token. Were the token made by the first page rendered, two
 * pages loading at once (a redirect and the next navigation) would each make one and each write the
 * whole session: the later write wins and the other page's forms are refused.
 */
export const regenerate = (req: Parameters<RequestHandler>[0]) =>
  new Promise<void>((resolve, reject) => req.session.regenerate((e) => {
    if (e) return reject(e)
    csrf.generateToken(req)
    resolve()
  }))
export const saveSession = (req: Parameters<RequestHandler>[0]) =>
  new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())))
/**
 * Stores the session, then redirects. A browser follows a redirect as soon as its headers arrive,
 * and express-session sends those before its own end-of-request save has finished: on a pooled
 * database the next page could read the session as it was before this request (a notice lost).
 */
export async function redirectAfterSave(req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1], url: string) {
  await saveSession(req)
  res.redirect(303, url)
}
export const destroySession = (req: Parameters<RequestHandler>[0]) =>
  new Promise<void>((resolve, reject) => req.session.destroy((e) => (e ? reject(e) : resolve())))
