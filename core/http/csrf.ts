import { csrfSync } from 'csrf-sync'
import type { RequestHandler } from 'express'
import { CsrfError } from '../kernel/errors.js'

/**
 * Synchronizer-token CSRF for our forms: the token lives in the session and every form carries it
 * as a hidden `_csrf` input (or an `x-csrf-token` header for scripts).
 */
export const csrf = csrfSync({
  getTokenFromRequest: (req) => (req.body && typeof req.body._csrf === 'string' ? req.body._csrf : req.get('x-csrf-token')),
})

export const csrfProtection: RequestHandler = (req, res, next) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next()
  if (!csrf.isRequestValid(req)) return next(new CsrfError())
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
