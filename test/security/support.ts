import type { Response } from 'light-my-request'
import type { Client, DistributorFixture, TestApp } from '../helpers/app.js'

/** Rows straight from the database (never through the code under test). */
export async function rows<T = Record<string, any>>(t0: TestApp, query: string, params: unknown[] = []): Promise<T[]> {
  return t0.app.kernel.orm.em.fork().getConnection().execute(query, params as any[]) as Promise<T[]>
}

/** Every column of a distributor's customers, ordered: compare before/after to prove nothing changed. */
export async function customersOf(t0: TestApp, distributorId: string) {
  return rows(t0, `select id, distributor_id, nic, legal_name, trade_name, rfc, phone, created_at from clients_customer where distributor_id = ? order by id`, [distributorId])
}

export interface CustomerRef { id: string, nic: string, legalName: string }

/** Creates a customer through the API as the distributor's token holder. */
export async function apiCustomer(t0: TestApp, d: DistributorFixture, legalName: string, extra: Record<string, unknown> = {}): Promise<CustomerRef> {
  const res = await t0.inject({ method: 'POST', url: '/api/v1/customers', headers: { authorization: `Bearer ${d.token}` }, payload: { legalName, rfc: 'XAXX010101000', ...extra } })
  if (res.statusCode !== 201) throw new Error(`customer create failed: ${res.statusCode} ${res.body}`)
  const nic = res.json().nic as string
  const [row] = await rows<{ id: string }>(t0, 'select id from clients_customer where nic = ?', [nic])
  return { id: row.id, nic, legalName }
}

export const api = (t0: TestApp, d: { token: string }, method: 'GET' | 'POST', url: string, payload?: unknown) =>
  t0.inject({ method, url, headers: { authorization: `Bearer ${d.token}` }, ...(payload !== undefined ? { payload: payload as any } : {}) })

/** light-my-request's default Host is `localhost:80`; a browser on that origin sends this Origin. */
export const SAME_ORIGIN = { origin: 'http://localhost' }

/** An /admin POST with a urlencoded body (AdminJS parses it like its multipart forms). */
export function adminPost(c: Client, url: string, form: Record<string, string> = {}, headers: Record<string, string> = SAME_ORIGIN): Promise<Response> {
  return c.request({ method: 'POST', url, payload: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })
}

/** window.REDUX_STATE of an AdminJS page: JSON never holds a raw newline, so the line ends it. */
export function reduxState(html: string): any {
  const m = /window\.REDUX_STATE = (.*);\n/.exec(html)
  if (!m) throw new Error('no REDUX_STATE in page')
  return JSON.parse(m[1])
}

/** The session id inside a signed `cm.sid` cookie value (`s:<id>.<signature>`). */
export function sidOf(cookieValue: string | undefined): string | undefined {
  if (!cookieValue) return undefined
  const v = decodeURIComponent(cookieValue)
  return v.startsWith('s:') ? v.slice(2, v.lastIndexOf('.')) : v
}

export function setCookieHeaders(res: Response): string[] {
  const h = res.headers['set-cookie']
  return h === undefined ? [] : Array.isArray(h) ? h : [String(h)]
}

export const XSS_IMG = '<img src=x onerror=alert(1)>'
export const XSS_SCRIPT = '</script><script>alert(1)</script>'

/** A national 10-digit way of writing a stored +52 mobile: `55 1234 5678`. */
export function nationalMobile(e164: string): string {
  const digits = e164.replace(/\D/g, '').replace(/^52/, '')
  return `${digits.slice(0, 2)} ${digits.slice(2, 6)} ${digits.slice(6)}`
}

let ipCounter = 1
/** A documentation-range address per caller, so throttling tests never share a per-IP count. */
export const uniqueIp = () => `198.51.100.${ipCounter++}`
