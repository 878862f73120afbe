import { randomInt } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import { Server as NetServer, type AddressInfo } from 'node:net'
import type { ModelInstance, SampleRequest } from '../../core/plugin-api/model.js'
import { HttpError, sendError, sendJson } from './http-error.js'
import { chatAnswer, completionAnswer, type SampledChoice } from './openai-answers.js'
import { OpenExchanges, type Exchange } from './open-exchanges.js'
import { ClientGoneError, readJsonBody } from './read-json-body.js'
import { checkApiKey, checkHost, checkJsonContentType, isLoopbackAddress } from './request-guards.js'
import { MAX_SEED, chatPrompt, chatRequestSchema, completionRequestSchema, stopList } from './request-schemas.js'
import { SampleBatcher } from './sample-batcher.js'
import { StreamChunks } from './stream-chunks.js'
import type { z } from 'zod'

/** What `createOpenAiServer` needs. */
export interface OpenAiServerOptions {
  model: ModelInstance
  /** The name `/v1/models` lists and requests must ask for. */
  modelName: string
  /** Largest request body in bytes (413 above). */
  maxBodyBytes: number
  /** When set, requests need `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string
  /** Most completions one request may ask for, `n` × its prompts (400 above; default DEFAULT_MAX_COMPLETIONS). */
  maxCompletions?: number
  /** How long `close()` waits for the responses in flight before it cuts them (default DEFAULT_DRAIN_MS). */
  drainTimeoutMs?: number
  log?: (line: string) => void
}

/**
 * The default cap on `n` × prompts per request: four prompts at the largest `n` (1024), far above
 * what an evaluation asks (one prompt per request, `n` = its pool), far below the 65,536 that `n`
 * and 64 prompts would otherwise allow in one request.
 */
export const DEFAULT_MAX_COMPLETIONS = 4096

/** How long a stop waits for the responses in flight (30 s) before it closes their connections. */
export const DEFAULT_DRAIN_MS = 30_000

/** A running server: its address, its batcher's counts, and a clean stop. */
export interface OpenAiServer {
  readonly server: Server
  readonly batcher: SampleBatcher
  /** Listens on host:port (port 0: any free port); resolves with the base URL, `http://host:port/v1`. */
  listen(port: number, host: string): Promise<string>
  /**
   * Stops: no new connections (and 503 for a new request on an open one), the connections of
   * requests whose body is still arriving closed at once, every other response finished — sent to
   * the last byte, however slowly its client reads — within `drainTimeoutMs`, then every
   * connection closed (logging what it cut) and the sampler idle. Calling it again returns the same stop.
   */
  close(): Promise<void>
}

/**
 * An OpenAI-compatible HTTP server over one model instance (node:http): `GET /v1/models`,
 * `GET /v1/models/{model}`, `POST /v1/completions`, `POST /v1/chat/completions` with `n`,
 * `temperature`, `top_p`, `max_tokens`, `stop`, `seed`, `logprobs` and `stream` (server-sent
 * events, sent as the model decodes when it reports text through `onToken`). Concurrent requests
 * are sampled in one batch (SampleBatcher). A request's seed goes to the model as the request seed,
 * exactly as bonbench's evaluation passes it, so an answer equals the in-process model's
 * completions for the same (prompt, n, temperature, top_p, max_tokens, stop, seed); without a
 * seed each prompt draws one at random, and a seed outside [0, 2^32 − 1] (which the model would read
 * modulo 2^32) is a 400. A choice ended by a stop string reports that string as vLLM's
 * `stop_reason` (openai-answers.ts, `endingStop`). Malformed JSON, bad fields, more than
 * `maxCompletions` completions and what it cannot honour (top log-probabilities, log-probabilities
 * while streaming) are 400, a body not sent as JSON 415, an unknown model 404, oversized bodies
 * 413; on loopback a Host header that names another host is 403 (request-guards.ts). A client
 * that goes away mid-request is dropped without harm, and a batch all of whose requesters went
 * away is stopped.
 */
export function createOpenAiServer(opts: OpenAiServerOptions): OpenAiServer {
  const batcher = new SampleBatcher(opts.model)
  const maxCompletions = opts.maxCompletions ?? DEFAULT_MAX_COMPLETIONS
  const exchanges = new OpenExchanges()
  let nextId = 0
  let stopping: Promise<void> | undefined
  /** Set by listen(): a server on loopback answers only Host headers that name loopback. */
  let loopbackOnly = false

  /**
   * Samples every prompt's `n` choices; `onText` gets choice text as it is decoded (choice index:
   * prompt × n + completion). Without a seed each prompt draws its own, as each prompt of an
   * OpenAI request is sampled independently; with one, every prompt takes it (the model derives
   * each completion's stream from it and the completion index).
   */
  async function sampleChoices(x: Exchange, prompts: string[], r: SamplingFields, onText?: (index: number, text: string) => void): Promise<SampledChoice[]> {
    const stop = stopList(r.stop)
    const maxTokens = r.max_tokens ?? r.max_completion_tokens ?? undefined
    const requests: SampleRequest[] = prompts.map((prompt) => ({
      promptId: `req-${nextId++}`,
      prompt,
      n: r.n,
      temperature: r.temperature,
      topP: r.top_p,
      seed: r.seed ?? randomInt(MAX_SEED + 1),
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(stop.length > 0 ? { stop } : {}),
    }))
    const results = await Promise.all(requests.map((q, i) => batcher.sample(q, onText && ((j, text) => onText(i * r.n + j, text)), x.gone)))
    return results.flatMap((res, i) => res.completions.map((completion) => ({ completion, prompt: prompts[i]!, stop })))
  }

  function checkModel(model: string): void {
    if (model !== opts.modelName) throw unknownModel(model)
  }

  function unknownModel(model: string): HttpError {
    return new HttpError(
      404,
      `The model \`${model}\` does not exist. This server serves \`${opts.modelName}\`.`,
      'invalid_request_error',
      'model_not_found',
      'model',
    )
  }

  function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
    const parsed = schema.safeParse(body)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!
      const param = issue.path.join('.')
      throw new HttpError(400, `${param || 'body'}: ${issue.message}`, 'invalid_request_error', 'invalid_value', param || null)
    }
    return parsed.data
  }

  /** A 400 for a field this server accepts in the OpenAI shape but cannot honour: refused, not silently answered without it. */
  function unsupported(param: string, message: string): HttpError {
    return new HttpError(400, `${param}: ${message}`, 'invalid_request_error', 'unsupported_value', param)
  }

  async function answer(kind: 'completion' | 'chat', x: Exchange): Promise<void> {
    checkJsonContentType(x.req)
    x.readingBody = true
    const body = await readJsonBody(x.req, opts.maxBodyBytes)
    x.readingBody = false
    let r: SamplingFields, prompts: string[], logprobs: boolean
    if (kind === 'chat') {
      const chat = parse(chatRequestSchema, body)
      ;[r, prompts, logprobs] = [chat, [chatPrompt(chat.messages)], chat.logprobs === true]
      if ((chat.top_logprobs ?? 0) > 0)
        throw unsupported(
          'top_logprobs',
          'the most likely alternative tokens are not supported (bench serve reports the sampled tokens only); leave it out or 0',
        )
    } else {
      const completion = parse(completionRequestSchema, body)
      const p = completion.prompt
      ;[r, prompts, logprobs] = [completion, Array.isArray(p) ? p : [p], completion.logprobs !== null && completion.logprobs !== undefined]
      if ((completion.logprobs ?? 0) > 0)
        throw unsupported('logprobs', "the most likely alternative tokens (logprobs > 0) are not supported; 0 gives the sampled tokens' log-probabilities")
    }
    if (r.stream && logprobs) throw unsupported('logprobs', 'log-probabilities are not supported with stream; ask without stream for them')
    checkModel(r.model)
    if (r.n * prompts.length > maxCompletions)
      throw new HttpError(
        400,
        `n: ${r.n} completions × ${prompts.length} prompts = ${r.n * prompts.length} is over this server's limit of ${maxCompletions} completions per request (bench serve --max-completions); split the request`,
        'invalid_request_error',
        'too_many_completions',
        'n',
      )
    if (r.stream) return stream(kind, x, r, prompts)
    const choices = await sampleChoices(x, prompts, r)
    if (x.res.destroyed) return // the client went away while its batch was sampled
    sendJson(x.res, 200, (kind === 'chat' ? chatAnswer : completionAnswer)(opts.modelName, choices, prompts, logprobs))
  }

  /**
   * A streamed answer: each piece of text goes out as the model decodes it (when the model reports
   * it, see `SampleOptions.onToken`), the rest and the finish reasons once the batch is sampled.
   * The headers go with the first event, so an error before any text is still an HTTP status;
   * one after it is an `error` event. A client that goes away stops its own events; its
   * completions finish with the batch they share, unless every requester of that batch has gone.
   */
  async function stream(kind: 'completion' | 'chat', x: Exchange, r: SamplingFields, prompts: string[]): Promise<void> {
    const res = x.res
    const chunks = new StreamChunks(kind, opts.modelName)
    const send = (events: string) => {
      if (res.destroyed || res.writableEnded) return
      if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
      res.write(events)
    }
    let choices: SampledChoice[]
    try {
      choices = await sampleChoices(x, prompts, r, (index, text) => send(chunks.text(index, text)))
    } catch (error) {
      if (!res.headersSent || x.gone.aborted) throw error
      const message = error instanceof Error ? error.message : String(error)
      opts.log?.(`error: ${message}`)
      send(`data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}\n\n`)
      res.end()
      return
    }
    send(chunks.end(choices, prompts, r.stream_options?.include_usage === true))
    if (!res.destroyed) res.end()
  }

  async function route(x: Exchange): Promise<void> {
    const { req, res } = x
    if (loopbackOnly) checkHost(req)
    if (opts.apiKey !== undefined) checkApiKey(req, opts.apiKey)
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '')
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: [modelCard()] })
      return
    }
    if (req.method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodePath(path.slice('/v1/models/'.length))
      if (id !== opts.modelName) throw unknownModel(id)
      sendJson(res, 200, modelCard())
      return
    }
    if (req.method === 'POST' && path === '/v1/completions') return answer('completion', x)
    if (req.method === 'POST' && path === '/v1/chat/completions') return answer('chat', x)
    throw new HttpError(
      404,
      `no route ${req.method} ${path}: bench serve answers GET /v1/models, GET /v1/models/{model}, POST /v1/completions and POST /v1/chat/completions`,
      'invalid_request_error',
      'not_found',
    )
  }

  function modelCard(): Record<string, unknown> {
    return { id: opts.modelName, object: 'model', created: 0, owned_by: 'bonbench' }
  }

  const server = createServer((req, res) => {
    res.on('error', () => {}) // a client that went away: nothing to tell it
    const x = exchanges.add(req, res)
    if (stopping) {
      // A new request on a connection kept alive while the server stops: refused, and the connection closed after the answer.
      sendError(res, new HttpError(503, 'bench serve is stopping', 'server_error', 'stopping'), { connection: 'close' })
      return
    }
    route(x).catch((error: unknown) => {
      x.readingBody = false
      if (error instanceof ClientGoneError) {
        // Quiet while stopping: the stop counts the requests it cut.
        if (!stopping) opts.log?.(`note: ${error.message} (dropped)`)
        return
      }
      // Its client left while its batch was sampled, and the batch stopped for want of requesters.
      if (x.gone.aborted && (error as { code?: unknown }).code === 'BENCH_ABORTED') return
      if (!(error instanceof HttpError)) opts.log?.(`error: ${error instanceof Error ? error.message : String(error)}`)
      if (!res.destroyed) sendError(res, error)
    })
  })
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
  })

  async function stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => server.once('close', () => resolve()))
    // net's close, not http's: Node 20's server.close() also runs closeIdleConnections(), which
    // counts a response that has called end() as idle and cuts off what a slow reader has not read.
    NetServer.prototype.close.call(server)
    const drainMs = opts.drainTimeoutMs ?? DEFAULT_DRAIN_MS
    const { droppedReading, cutUnfinished } = await exchanges.drain(drainMs)
    if (droppedReading > 0) opts.log?.(`stopping: closed ${plural(droppedReading, 'connection')} whose request body was still arriving`)
    if (cutUnfinished > 0)
      opts.log?.(`stopping: closed ${plural(cutUnfinished, 'connection')} whose response was not finished after ${drainMs / 1000} s (cut short)`)
    // What is left are idle keep-alive connections, and any response cut above. http's close() now
    // has nothing left to cut; it stops the server's timer that checks connections' timeouts.
    server.closeAllConnections()
    server.close()
    await closed
    await batcher.idle()
  }

  return {
    server,
    batcher,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          const address = server.address() as AddressInfo
          loopbackOnly = isLoopbackAddress(address.address)
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
          resolve(`http://${shown}:${address.port}/v1`)
        })
      }),
    close: () => (stopping ??= stop()),
  }
}

/** `count noun(s)`. */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** A path segment as a name (`%2F` → `/`); one that does not decode stays as sent. */
function decodePath(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

type SamplingFields = z.output<typeof completionRequestSchema> | z.output<typeof chatRequestSchema>
