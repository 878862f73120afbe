import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'
import { HttpError } from './http-error.js'

/**
 * Whether `address` (what the server listens on) is a loopback address: 127.0.0.0/8, ::1, an
 * IPv4-mapped 127.x, or the name `localhost`. Such a server answers only Host headers that name
 * loopback too (see checkHost).
 */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '')
  if (a === 'localhost' || a === '::1') return true
  const v4 = a.startsWith('::ffff:') ? a.slice('::ffff:'.length) : a
  return isIP(v4) === 4 && v4.startsWith('127.')
}

/** Whether a Host header names a loopback host (`localhost`, `127.x.x.x`, `[::1]`), with or without a port. */
export function isLoopbackHost(host: string): boolean {
  let hostname: string
  try {
    hostname = new URL(`http://${host}`).hostname
  } catch {
    return false
  }
  // URL gives an IPv6 host in brackets, `localhost` lower-cased and IPv4 in dotted-decimal form.
  return hostname === 'localhost' || hostname === '[::1]' || (isIP(hostname) === 4 && hostname.startsWith('127.'))
}

/**
 * Refuses (403) a request whose Host header names another host, when the server listens on
 * loopback: a web page the user visits could otherwise reach the server through a DNS name that
 * it makes resolve to 127.0.0.1 (DNS rebinding) and read its answers. A request without Host
 * (HTTP/1.0; Node refuses HTTP/1.1 without one) is no browser's, so it passes.
 */
export function checkHost(req: IncomingMessage): void {
  const host = req.headers.host
  if (host === undefined || isLoopbackHost(host)) return
  throw new HttpError(
    403,
    `the Host header ${JSON.stringify(host)} does not name this machine's loopback address: bench serve on loopback answers only Host localhost, 127.0.0.1 or [::1] (with the port), so that a web page cannot reach it through another DNS name`,
    'invalid_request_error',
    'forbidden_host',
  )
}

/**
 * Refuses (415) a POST whose body is not declared JSON (`application/json` or any `+json` type):
 * a web page may send a text/plain POST to any address without asking first (no CORS preflight),
 * and would otherwise make the server sample.
 */
export function checkJsonContentType(req: IncomingMessage): void {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type)) return
  throw new HttpError(
    415,
    `the request body must be sent as JSON, with Content-Type: application/json (got ${req.headers['content-type'] === undefined ? 'none' : JSON.stringify(req.headers['content-type'])})`,
    'invalid_request_error',
    'unsupported_media_type',
  )
}

/**
 * Refuses (401) a request without `Authorization: Bearer <key>` (the scheme in any case, as HTTP
 * allows). The key is compared in constant time, so the answer's timing tells nothing of it.
 */
export function checkApiKey(req: IncomingMessage, key: string): void {
  const m = /^bearer[ \t]+(.*)$/i.exec(req.headers.authorization ?? '')
  const given = Buffer.from(m ? m[1]! : '')
  const wanted = Buffer.from(key)
  // timingSafeEqual needs equal lengths: a wrong length is compared against the key itself, so it
  // takes the same time as a wrong key of the right length.
  const same = timingSafeEqual(given.length === wanted.length ? given : wanted, wanted) && given.length === wanted.length
  if (!same) throw new HttpError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')
}
