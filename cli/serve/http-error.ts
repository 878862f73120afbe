import type { ServerResponse } from 'node:http'

/** An error answer in the OpenAI shape: `{ error: { message, type, param, code } }` with its HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/** Writes `body` as JSON with `status`, unless the client has gone away. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

/** Answers an HttpError as OpenAI does; anything else is a 500 that names the error. `headers` go with it (413 closes the connection anyway). */
export function sendError(res: ServerResponse, error: unknown, headers: Record<string, string> = {}): void {
  const e = error instanceof HttpError ? error : new HttpError(500, error instanceof Error ? error.message : String(error), 'server_error')
  sendJson(
    res,
    e.status,
    { error: { message: e.message, type: e.type, param: e.param, code: e.code } },
    e.status === 413 ? { connection: 'close', ...headers } : headers,
  )
}
