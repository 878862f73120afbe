import type { IncomingMessage } from 'node:http'
import { HttpError } from './http-error.js'

/**
 * A client that closed its connection before its request body was complete: nothing to answer and
 * nothing wrong with the server, so it is logged as a plain note, never as an error.
 */
export class ClientGoneError extends Error {
  constructor() {
    super('the client went away before sending its whole request body')
    this.name = 'ClientGoneError'
  }
}

/**
 * Reads a request body of at most `limit` bytes and parses it as JSON. Over the limit: 413 (the
 * rest is read and dropped, up to 64× the limit, so the client gets the answer rather than a reset
 * connection); not JSON or not an object: 400. A client that goes away mid-body (or a connection
 * the server cuts while stopping) rejects it with a ClientGoneError; a body that goes on past 64 ×
 * the limit is cut, with the 413.
 */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    const chunks: Buffer[] = []
    let size = 0
    let over = Number.isFinite(declared) && declared > limit
    // Settled: the body ended, or the server cut it; a close after that is no client going away.
    let settled = false
    const tooLarge = () =>
      new HttpError(413, `the request body is over the limit of ${limit} bytes (bench serve --max-body)`, 'invalid_request_error', 'request_too_large')
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) over = true
      if (!over) chunks.push(chunk)
      else if (size > limit * 64) {
        // An endless body: the server cuts it (not the client leaving).
        settled = true
        req.destroy()
        reject(tooLarge())
      }
    })
    const gone = () => {
      if (!settled) reject(new ClientGoneError())
    }
    req.on('error', gone)
    req.on('aborted', gone)
    req.on('close', gone)
    req.on('end', () => {
      settled = true
      if (over) return reject(tooLarge())
      let parsed: unknown
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch (error) {
        return reject(new HttpError(400, `the request body is not valid JSON: ${(error as Error).message}`, 'invalid_request_error', 'invalid_json'))
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        return reject(new HttpError(400, 'the request body must be a JSON object', 'invalid_request_error', 'invalid_json'))
      resolve(parsed as Record<string, unknown>)
    })
  })
}
