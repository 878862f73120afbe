import { randomInt } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ModelInstance, SampleRequest } from '../../core/plugin-api/model.js'
import { HttpError, sendError, sendJson } from './http-error.js'
import { chatAnswer, completionAnswer, type SampledChoice } from './openai-answers.js'
import { readJsonBody } from './read-json-body.js'
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
  log?: (line: string) => void
}

/** A running server: its address, its batcher's counts, and a clean stop. */
export interface OpenAiServer {
  readonly server: Server
  readonly batcher: SampleBatcher
  /** Listens on host:port (port 0: any free port); resolves with the base URL, `http://host:port/v1`. */
  listen(port: number, host: string): Promise<string>
  /** Stops accepting connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>
}

/**
 * An OpenAI-compatible HTTP server over one model instance (node:http): `GET /v1/models`,
 * `POST /v1/completions`, `POST /v1/chat/completions` with `n`, `temperature`, `top_p`,
 * `max_tokens`, `stop`, `seed`, `logprobs` and `stream` (server-sent events, sent as the model
 * decodes when it reports text through `onToken`). Concurrent requests are sampled in one batch
 * (SampleBatcher). A request's seed goes to the model as the request seed,
 * exactly as bonbench's evaluation passes it, so an answer equals the in-process model's
 * completions for the same (prompt, n, temperature, top_p, max_tokens, stop, seed); without a
 * seed one is drawn at random, and a seed outside [0, 2^32 − 1] (which the model would read
 * modulo 2^32) is a 400. A choice ended by a stop string reports that string as vLLM's
 * `stop_reason` (openai-answers.ts, `endingStop`). Malformed JSON and bad fields are 400, an
 * unknown model 404, oversized bodies 413; a client that goes away mid-request is dropped without harm.
 */
export function createOpenAiServer(opts: OpenAiServerOptions): OpenAiServer {
  const batcher = new SampleBatcher(opts.model)
  let nextId = 0
  let inFlight = 0

  /** Samples every prompt's `n` choices; `onText` gets choice text as it is decoded (choice index: prompt × n + completion). */
  async function sampleChoices(prompts: string[], r: SamplingFields, onText?: (index: number, text: string) => void): Promise<SampledChoice[]> {
    const seed = r.seed ?? randomInt(MAX_SEED + 1)
    const stop = stopList(r.stop)
    const maxTokens = r.max_tokens ?? r.max_completion_tokens ?? undefined
    const requests: SampleRequest[] = prompts.map((prompt) => ({
      promptId: `req-${nextId++}`,
      prompt,
      n: r.n,
      temperature: r.temperature,
      topP: r.top_p,
      seed,
      ...(maxTokens !== undefined ? { maxTokens } : {}),
      ...(stop.length > 0 ? { stop } : {}),
    }))
    const results = await Promise.all(requests.map((q, i) => batcher.sample(q, onText && ((j, text) => onText(i * r.n + j, text)))))
    return results.flatMap((res, i) => res.completions.map((completion) => ({ completion, prompt: prompts[i]!, stop })))
  }

  function checkModel(model: string): void {
    if (model !== opts.modelName)
      throw new HttpError(
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

  async function answer(kind: 'completion' | 'chat', req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJsonBody(req, opts.maxBodyBytes)
    let r: SamplingFields, prompts: string[], logprobs: boolean
    if (kind === 'chat') {
      const chat = parse(chatRequestSchema, body)
      ;[r, prompts, logprobs] = [chat, [chatPrompt(chat.messages)], chat.logprobs === true]
    } else {
      const completion = parse(completionRequestSchema, body)
      const p = completion.prompt
      ;[r, prompts, logprobs] = [completion, Array.isArray(p) ? p : [p], completion.logprobs !== null && completion.logprobs !== undefined]
    }
    checkModel(r.model)
    if (r.stream) return stream(kind, r, prompts, res)
    const choices = await sampleChoices(prompts, r)
    if (res.destroyed) return // the client went away while its batch was sampled
    sendJson(res, 200, (kind === 'chat' ? chatAnswer : completionAnswer)(opts.modelName, choices, prompts, logprobs))
  }

  /**
   * A streamed answer: each piece of text goes out as the model decodes it (when the model reports
   * it, see `SampleOptions.onToken`), the rest and the finish reasons once the batch is sampled.
   * The headers go with the first event, so an error before any text is still an HTTP status;
   * one after it is an `error` event. A client that goes away only stops its own events: its
   * completions finish with the batch they share.
   */
  async function stream(kind: 'completion' | 'chat', r: SamplingFields, prompts: string[], res: ServerResponse): Promise<void> {
    const chunks = new StreamChunks(kind, opts.modelName)
    const send = (events: string) => {
      if (res.destroyed || res.writableEnded) return
      if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
      res.write(events)
    }
    let choices: SampledChoice[]
    try {
      choices = await sampleChoices(prompts, r, (index, text) => send(chunks.text(index, text)))
    } catch (error) {
      if (!res.headersSent) throw error
      const message = error instanceof Error ? error.message : String(error)
      opts.log?.(`error: ${message}`)
      send(`data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}\n\n`)
      res.end()
      return
    }
    send(chunks.end(choices, prompts, r.stream_options?.include_usage === true))
    if (!res.destroyed) res.end()
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`)
      throw new HttpError(401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key')
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '')
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: [{ id: opts.modelName, object: 'model', created: 0, owned_by: 'bonbench' }] })
      return
    }
    if (req.method === 'POST' && path === '/v1/completions') return answer('completion', req, res)
    if (req.method === 'POST' && path === '/v1/chat/completions') return answer('chat', req, res)
    throw new HttpError(
      404,
      `no route ${req.method} ${path}: bench serve answers GET /v1/models, POST /v1/completions and POST /v1/chat/completions`,
      'invalid_request_error',
      'not_found',
    )
  }

  const server = createServer((req, res) => {
    inFlight++
    res.on('close', () => inFlight--)
    res.on('error', () => {}) // a client that went away: nothing to tell it
    route(req, res).catch((error: unknown) => {
      if (!(error instanceof HttpError)) opts.log?.(`error: ${error instanceof Error ? error.message : String(error)}`)
      if (!res.destroyed) sendError(res, error)
    })
  })
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
  })

  return {
    server,
    batcher,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject)
        server.listen(port, host, () => {
          server.off('error', reject)
          const address = server.address() as AddressInfo
          const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address
          resolve(`http://${shown}:${address.port}/v1`)
        })
      }),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 10))
      // No request is in flight: what is left are idle keep-alive connections, including ones that
      // went idle after the call above and ones a client opened without a request yet, which would
      // otherwise hold the close until the client's own keep-alive timeout.
      server.closeAllConnections()
      await closed
      await batcher.idle()
    },
  }
}

type SamplingFields = z.output<typeof completionRequestSchema> | z.output<typeof chatRequestSchema>
