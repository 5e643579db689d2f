import session from 'express-session'
import { ConnectSessionKnexStore } from 'connect-session-knex'
import type { MikroORM } from '@mikro-orm/postgresql'
import type { RequestHandler } from 'express'

export const SESSION_COOKIE = 'cm.sid'
const MAX_AGE_MS = 8 * 60 * 60 * 1000

/**
 * Sessions in PostgreSQL through the ORM's own knex (so the embedded database's single connection is
 * shared, never a second pool). Cookie: HttpOnly, SameSite=Lax, Secure when the request came over
 * HTTPS (express's req.secure, which honours `trust proxy`).
 */
export function sessionMiddleware(orm: MikroORM, secret: string): { middleware: RequestHandler, close(): void } {
  const store = new ConnectSessionKnexStore({
    knex: orm.em.getConnection().getKnex(),
    tableName: 'core_session',
    createTable: false,
    cleanupInterval: 10 * 60 * 1000,
  })
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
  return { middleware, close: () => clearTimeout((store as unknown as { nextDbCleanup?: NodeJS.Timeout }).nextDbCleanup) }
}

export const regenerate = (req: Parameters<RequestHandler>[0]) =>
  new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())))
export const saveSession = (req: Parameters<RequestHandler>[0]) =>
  new Promise<void>((resolve, reject) => req.session.save((e) => (e ? reject(e) : resolve())))
export const destroySession = (req: Parameters<RequestHandler>[0]) =>
  new Promise<void>((resolve, reject) => req.session.destroy((e) => (e ? reject(e) : resolve())))
