export interface Logger {
  info(msg: string, extra?: Record<string, unknown>): void
  warn(msg: string, extra?: Record<string, unknown>): void
  error(msg: string, extra?: Record<string, unknown>): void
  child(scope: string): Logger
}

/** Plain line logger; quiet in tests unless CM_LOG is set. */
export function createLogger(scope = 'cm', quiet = process.env.CM_LOG === 'silent', toStderr = false): Logger {
  const write = (level: string, msg: string, extra?: Record<string, unknown>) => {
    if (quiet) return
    const line = `${new Date().toISOString()} ${level} [${scope}] ${msg}${extra ? ' ' + JSON.stringify(extra) : ''}`
    if (level === 'ERROR' || toStderr) console.error(line); else console.log(line)
  }
  return {
    info: (m, e) => write('INFO', m, e),
    warn: (m, e) => write('WARN', m, e),
    error: (m, e) => write('ERROR', m, e),
    child: (s) => createLogger(`${scope}:${s}`, quiet, toStderr),
  }
}
