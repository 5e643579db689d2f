import { csrfSync } from 'csrf-sync'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Request, RequestHandler, Response } from 'express'
import { CsrfError } from '../kernel/errors.js'

const ANON_COOKIE = 'cm.csrf'

/**
 * Synchronizer-token CSRF for our forms: the token lives in the session and every form carries it
 * as a hidden `_csrf` input (or an `x-csrf-token` header for scripts).
 */
export const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body && typeof req.body._csrf === 'string' ? req.body._csrf : req.get('x-csrf-token')),
})

/**
 * Forms of visitors who are not signed in (sign-in, sign-up, forgotten password) carry a signed
 * double-submit token instead, so that a page view stores no session row: the form's token is a
 * random value, the `cm.csrf` cookie the same value signed with the session secret (cookie-parser),
 * which another site can neither read nor forge.
 */
export function anonCsrfToken(req: Request, res: Response): string {
  const known = res.locals.anonCsrf ?? req.signedCookies?.[ANON_COOKIE]
  if (typeof known === 'string' && /^[\w-]{24}$/.test(known)) return (res.locals.anonCsrf = known)
  const token = randomBytes(18).toString('base64url')
  res.cookie(ANON_COOKIE, token, { signed: true, httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' })
  return (res.locals.anonCsrf = token)
}

const anonValid = (req: Request) => {
  const cookie = req.signedCookies?.[ANON_COOKIE]
  const sent = req.body && typeof req.body._csrf === 'string' ? req.body._csrf : req.get('x-csrf-token')
  return typeof cookie === 'string' && typeof sent === 'string' && cookie.length === sent.length && timingSafeEqual(Buffer.from(cookie), Buffer.from(sent))
}

/** A signed-in session's forms carry its own token; a visitor's, the double-submit one. */
export const formCsrfToken = (req: Request, res: Response) => (req.session?.profileId ? csrf.generateToken(req) : anonCsrfToken(req, res))

export const csrfProtection: RequestHandler = (req, res, next) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next()
  if (!(req.session?.profileId ? csrf.isRequestValid(req) : anonValid(req))) return next(new CsrfError())
  next()
}

/**
 * AdminJS posts by XHR with a multipart body parsed inside its own router, so a token in the body is
 * not readable here. Every state-changing /admin request must come from our own origin instead:
 * `Sec-Fetch-Site: same-origin`, or an `Origin` whose host is ours. Forms from other sites carry
 * neither.
 */
export const sameOriginOnly: RequestHandler = (req, _res, next) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next()
  const site = req.get('sec-fetch-site')
  if (site) return site === 'same-origin' ? next() : next(new CsrfError())
  const origin = req.get('origin')
  if (!origin) return next(new CsrfError())
  try {
    // Both through URL, so `host:80` (some clients and proxies) equals the browser's `http://host`.
    if (new URL(origin).host === new URL(`${req.protocol}://${req.get('host')}`).host) return next()
  } catch { /* fall through */ }
  next(new CsrfError())
}
