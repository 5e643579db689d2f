import type { ErrorRequestHandler, Response } from 'express'
import { InternalError, isCatalogedError, MalformedJsonError, PayloadTooLargeError, type CatalogedError } from '../kernel/errors.js'
import type { Logger } from '../kernel/logger.js'

export function sendError(res: Response, e: CatalogedError) {
  res.status(e.status).json({ error: { code: e.code, message: e.message, retryable: e.retryable, ...(e.details ? e.details as object : {}) } })
}

/** Renders any error as the API's JSON error body; unknown errors are logged and become 500. */
export function apiErrorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (res.headersSent) return next(err)
    if (err?.type === 'entity.parse.failed') return sendError(res, new MalformedJsonError())
    if (err?.type === 'entity.too.large') return sendError(res, new PayloadTooLargeError())
    if (isCatalogedError(err)) return sendError(res, err)
    log.error('unhandled API error', { error: String(err?.stack ?? err) })
    sendError(res, new InternalError())
  }
}
