/**
 * The openai-compatible model against `bench serve`'s server (cli/serve) over a tiny-transformer,
 * on loopback with the official `openai` client: no HTTP mocks. Failure cases use small real
 * servers in front of it (a flaky proxy, a server that answers too few choices).
 */
import { getEventListeners } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI, { APIError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelInstance, ModelPlugin, SampleRequest } from '../../../core/plugin-api/index.js'
import { createOpenAiServer, type OpenAiServer } from '../../../cli/serve/openai-server.js'
import { SampleBatcher } from '../../../cli/serve/sample-batcher.js'
import { defaultServedModelName } from '../../../cli/serve/served-model-name.js'
import { openAiCompatible, ModelApiError } from '../../../plugins/models/openai-compatible/index.js'
import { tinyTransformer } from '../../../plugins/models/tiny-transformer/index.js'

const corpus = 'abcdefgh0123456789+=. '
let model: ModelInstance
let served: OpenAiServer
let baseUrl: string
const extra: Server[] = []
const cacheRoot = mkdtempSync(join(tmpdir(), 'bonbench-oai-'))

beforeAll(async () => {
  model = await tinyTransformer({ layers: 1, width: 16, heads: 2, context: 24 }).create({ seed: 1, corpus, concurrency: 1, backend: 'wasm' })
  served = createOpenAiServer({ model, modelName: 'tiny', maxBodyBytes: 4096 })
  baseUrl = await served.listen(0, '127.0.0.1')
})
afterAll(async () => {
  for (const s of extra) s.close()
  await served.close()
  await model.dispose?.()
  rmSync(cacheRoot, { recursive: true, force: true })
})

const requests = (): SampleRequest[] => [
  { promptId: 'a', prompt: 'ab=', n: 3, temperature: 1, seed: 11, maxTokens: 10 },
  { promptId: 'b', prompt: 'h7+1=', n: 2, temperature: 0.7, topP: 0.9, seed: 12, maxTokens: 12, stop: ['.'] },
]
const ctx = (cacheDir?: string) => ({ seed: 0, corpus: '', concurrency: 1, ...(cacheDir ? { cacheDir } : {}) })
const create = async (options: Record<string, unknown>, cacheDir?: string) => (openAiCompatible(options as never) as ModelPlugin).create(ctx(cacheDir))

/** A real server on loopback whose handler the test writes; returns its /v1 URL. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler)
  extra.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
}

/** Forwards a request to bench serve's server and relays its answer. */
async function forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const answer = await fetch(`${baseUrl}${req.url!.replace(/^\/v1/, '')}`, {
    method: req.method,
    headers: { 'content-type': 'application/json' },
    body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
  })
  res.writeHead(answer.status, { 'content-type': 'application/json' })
  res.end(await answer.text())
}

describe('openai-compatible against bench serve', () => {
  it.each(['completions', 'chat'] as const)('samples over %s exactly what the in-process model samples for the same requests', async (endpoint) => {
    const api = await create({ baseUrl, endpoint, logprobs: true, cache: false })
    const remote = await api.sample(requests())
    const local = await model.sample(requests())
    expect(remote.map((r) => r.completions.map((c) => c.text))).toEqual(local.map((r) => r.completions.map((c) => c.text)))
    expect(remote.map((r) => r.completions.map((c) => [c.tokens, c.logProb, c.finishReason]))).toEqual(
      local.map((r) => r.completions.map((c) => [c.tokens, c.logProb, c.finishReason])),
    )
    expect(remote[1]!.completions.some((c) => c.finishReason !== 'length')).toBe(true)
  })

  it('without logprobs keeps the text and counts usage per request', async () => {
    const api = await create({ baseUrl, cache: false })
    const remote = await api.sample(requests())
    expect(remote.map((r) => r.completions.map((c) => c.text))).toEqual((await model.sample(requests())).map((r) => r.completions.map((c) => c.text)))
    expect(remote[0]!.completions[0]!.tokens).toEqual([])
    const usage = api.takeUsage!()
    const local = await model.sample(requests())
    expect(usage).toEqual({
      requests: 2,
      cachedRequests: 0,
      promptTokens: 'ab='.length + 'h7+1='.length,
      completionTokens: local.flatMap((r) => r.completions).reduce((s, c) => s + c.tokens.length, 0),
    })
    expect(api.takeUsage!()).toEqual({ requests: 0, cachedRequests: 0, promptTokens: 0, completionTokens: 0 })
  })

  it('answers a rerun from the request cache, identically, without the server', async () => {
    const cacheDir = join(cacheRoot, 'rerun')
    const first = await (await create({ baseUrl, logprobs: true }, cacheDir)).sample(requests())
    expect(readdirSync(join(cacheDir, 'openai-compatible')).length).toBeGreaterThan(0)
    // A server that serves the model list but fails every sampling request: only the cache can answer.
    const broken = await listen((req, res) => {
      if (req.url === '/v1/models') return forward(req, res)
      res.writeHead(500).end('{"error":{"message":"down"}}')
    })
    const again = await create({ baseUrl: broken, logprobs: true, maxRetries: 0 }, cacheDir)
    expect(await again.sample(requests())).toEqual(first)
    expect(again.takeUsage!()).toMatchObject({ requests: 2, cachedRequests: 2 })
    // A request not in the cache does reach the (broken) server.
    await expect(again.sample([{ ...requests()[0]!, seed: 99 }])).rejects.toMatchObject({ failure: 'http-status', status: 500 })
  })

  it("keys the cache by the model name: bench serve's default names keep two checkpoints' answers apart in one cache", async () => {
    // A second checkpoint: the same architecture, other weights (another seed), saved and loaded as bench serve does.
    const plugin = tinyTransformer({ layers: 1, width: 16, heads: 2, context: 24 })
    const dirA = join(cacheRoot, 'ckpt-a')
    const dirB = join(cacheRoot, 'ckpt-b')
    await model.save!(dirA)
    const fresh = await plugin.create({ seed: 2, corpus, concurrency: 1, backend: 'wasm' })
    await fresh.save!(dirB)
    await fresh.dispose?.()
    const other = await plugin.load!(dirB, { seed: 0, concurrency: 1, backend: 'wasm' })
    const otherServed = createOpenAiServer({ model: other, modelName: await defaultServedModelName('tiny-transformer', other, dirB), maxBodyBytes: 4096 })
    const firstServed = createOpenAiServer({ model, modelName: await defaultServedModelName('tiny-transformer', model, dirA), maxBodyBytes: 4096 })
    try {
      const [urlA, urlB] = [await firstServed.listen(0, '127.0.0.1'), await otherServed.listen(0, '127.0.0.1')]
      const cacheDir = join(cacheRoot, 'two-checkpoints')
      const texts = (results: Awaited<ReturnType<ModelInstance['sample']>>) => results.map((r) => r.completions.map((c) => c.text))
      const fromA = await (await create({ baseUrl: urlA }, cacheDir)).sample(requests())
      const warm = await create({ baseUrl: urlB }, cacheDir)
      const fromB = await warm.sample(requests())
      // B's own completions (what a cold cache gets), none of A's cached answers.
      expect(texts(fromB)).toEqual(texts(await other.sample(requests())))
      expect(texts(fromB)).not.toEqual(texts(fromA))
      expect(warm.takeUsage!()).toMatchObject({ requests: 2, cachedRequests: 0 })
      expect(warm.describe().model).toMatch(/^tiny-transformer@[0-9a-f]{12}-wasm$/)
    } finally {
      await Promise.all([firstServed.close(), otherServed.close()])
      await other.dispose?.()
    }
  })

  it('leaves no abort listener on the run signal after its requests, and aborting it still cancels a request in flight', async () => {
    const api = await create({ baseUrl, cache: false })
    const run = new AbortController()
    // More requests than Node's MaxListenersExceededWarning threshold (10): one after another, then together.
    for (let i = 0; i < 12; i++) await api.sample([{ ...requests()[0]!, seed: 300 + i }], { signal: run.signal })
    const together = Array.from({ length: 12 }, (_, i) => ({ ...requests()[0]!, promptId: `t${i}`, seed: 400 + i }))
    expect(await api.sample(together, { signal: run.signal })).toHaveLength(12)
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)

    // A server that takes the sampling request and never answers: only the run's abort ends it.
    let taken!: () => void
    let dropped!: () => void
    const arrived = new Promise<void>((r) => (taken = r))
    const gone = new Promise<void>((r) => (dropped = r))
    const silent = await listen((req, res) => {
      if (req.url === '/v1/models') return forward(req, res)
      res.on('close', dropped)
      taken()
    })
    const pending = (await create({ baseUrl: silent, cache: false, maxRetries: 0 })).sample([requests()[0]!], { signal: run.signal })
    await arrived
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1) // the link to the request in flight
    run.abort()
    await expect(pending).rejects.toMatchObject({ code: 'BENCH_ABORTED' })
    await gone // the connection was closed: the request was cancelled, not left to run
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
  })
})

describe("bench serve's default model name", () => {
  it('names the weights: the hash the model reports, else a hash of the checkpoint folder; and the backend a model that uses one runs on', async () => {
    const reported = await model.contentHash!()
    expect(await defaultServedModelName('tiny-transformer', model, cacheRoot)).toBe(`tiny-transformer@${reported.slice(0, 12)}-wasm`)
    // The same checkpoint on another backend: another name (a GPU's last digits differ, so its
    // answers must not stand for these in a client's cache).
    const dir = join(cacheRoot, 'on-cpu')
    await model.save!(dir)
    const onCpu = await tinyTransformer({ layers: 1, width: 16, heads: 2, context: 24 }).load!(dir, { seed: 0, concurrency: 1, backend: 'cpu' })
    try {
      expect(await defaultServedModelName('tiny-transformer', onCpu, dir)).toBe(`tiny-transformer@${reported.slice(0, 12)}-cpu`)
    } finally {
      await onCpu.dispose?.()
    }
    // A model that computes on no TensorFlow.js backend (usesBackend: false): the hash alone.
    expect(await defaultServedModelName('tiny-transformer', model, cacheRoot, { usesBackend: false })).toBe(`tiny-transformer@${reported.slice(0, 12)}`)
    // A model that reports no hash: the folder's files name it, so other bytes give another name.
    const unhashed: ModelInstance = { sample: async () => [], describe: () => ({ parameters: 0, backend: 'none', device: 'none' }) }
    const folder = join(cacheRoot, 'unhashed')
    mkdirSync(join(folder, 'sub'), { recursive: true })
    writeFileSync(join(folder, 'checkpoint.json'), '{}')
    writeFileSync(join(folder, 'sub', 'weights.bin'), 'one')
    const first = await defaultServedModelName('third-party', unhashed, folder)
    expect(first).toMatch(/^third-party@[0-9a-f]{12}-none$/)
    expect(await defaultServedModelName('third-party', unhashed, folder)).toBe(first)
    writeFileSync(join(folder, 'sub', 'weights.bin'), 'two')
    expect(await defaultServedModelName('third-party', unhashed, folder)).not.toBe(first)
  })
})

describe('named errors', () => {
  it('an unreachable URL', async () => {
    const dead = await listen(() => {})
    const server = extra.pop()!
    await new Promise((r) => server.close(r))
    const error = await create({ baseUrl: dead, maxRetries: 0 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelApiError)
    expect(error).toMatchObject({ code: 'BENCH_MODEL_API', failure: 'unreachable', endpoint: `${dead}/models` })
    expect((error as Error).message).toContain('--base-url')
  })

  it('a refused key (401), naming the environment variable, and never the key', async () => {
    const guarded = createOpenAiServer({ model, modelName: 'tiny', maxBodyBytes: 4096, apiKey: 'right-key' })
    const url = await guarded.listen(0, '127.0.0.1')
    try {
      process.env.BONBENCH_TEST_KEY = 'wrong-key-s3cr3t'
      const error = await create({ baseUrl: url, apiKeyEnv: 'BONBENCH_TEST_KEY' }).catch((e: unknown) => e)
      expect(error).toMatchObject({ failure: 'unauthorized', status: 401 })
      expect((error as Error).message).toContain('BONBENCH_TEST_KEY')
      expect((error as Error).message).not.toContain('s3cr3t')
      process.env.BONBENCH_TEST_KEY = 'right-key'
      const ok = await create({ baseUrl: url, apiKeyEnv: 'BONBENCH_TEST_KEY', cache: false })
      expect((await ok.sample(requests()))[0]!.completions).toHaveLength(3)
    } finally {
      delete process.env.BONBENCH_TEST_KEY
      await guarded.close()
    }
  })

  it('a model name the server does not know', async () => {
    await expect(create({ baseUrl, model: 'gpt-9' })).rejects.toMatchObject({ failure: 'unknown-model' })
    await expect(create({ baseUrl, model: 'gpt-9' })).rejects.toThrow(/serves: tiny/)
  })

  it('an answer with fewer choices than asked', async () => {
    const stingy = await listen(async (req, res) => {
      if (req.url === '/v1/models') return forward(req, res)
      for await (const _ of req);
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ choices: [{ index: 0, text: 'x', finish_reason: 'stop' }] }))
    })
    const api = await create({ baseUrl: stingy, cache: false })
    await expect(api.sample(requests())).rejects.toMatchObject({ failure: 'too-few-choices', endpoint: `${stingy}/completions` })
  })

  it('retries 429 (honouring Retry-After) and 5xx, then answers; out of retries it names the endpoint and the status', async () => {
    let calls = 0
    const flaky = await listen((req, res) => {
      if (req.url === '/v1/models') return forward(req, res)
      calls++
      if (calls === 1) return res.writeHead(429, { 'retry-after': '0.05' }).end('{"error":{"message":"slow down"}}')
      if (calls === 2) return res.writeHead(503).end('{"error":{"message":"busy"}}')
      return forward(req, res)
    })
    const api = await create({ baseUrl: flaky, cache: false, maxRetries: 2 })
    const [one] = await api.sample([requests()[0]!])
    expect(calls).toBe(3)
    expect(one!.completions.map((c) => c.text)).toEqual((await model.sample([requests()[0]!]))[0]!.completions.map((c) => c.text))

    let tries = 0
    const down = await listen((req, res) => {
      if (req.url === '/v1/models') return forward(req, res)
      tries++
      res.writeHead(429, { 'retry-after-ms': '10' }).end('{"error":{"message":"rate limited"}}')
    })
    const error = await (await create({ baseUrl: down, cache: false, maxRetries: 2 })).sample([requests()[0]!]).catch((e: unknown) => e)
    expect(tries).toBe(3)
    expect(error).toMatchObject({ failure: 'http-status', status: 429, endpoint: `${down}/completions` })
    expect((error as Error).message).toMatch(/answered HTTP 429 after 3 tries/)
  })
})

describe('bench serve with the official openai client', () => {
  const client = () => new OpenAI({ baseURL: baseUrl, apiKey: 'unused', maxRetries: 0 })

  it('lists its model, answers n > 1 with a seed reproducibly, and streams the same text as it answers', async () => {
    expect((await client().models.list()).data.map((m) => m.id)).toEqual(['tiny'])
    const ask = { model: 'tiny', prompt: 'ab=', n: 3, seed: 5, max_tokens: 8 }
    const a = await client().completions.create(ask)
    const b = await client().completions.create(ask)
    expect(a.choices).toHaveLength(3)
    expect(b.choices.map((c) => c.text)).toEqual(a.choices.map((c) => c.text))
    const chat = await client().chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'ab=' }], n: 3, seed: 5, max_tokens: 8 })
    expect(chat.choices.map((c) => c.message.content)).toEqual(a.choices.map((c) => c.text))
    const stream = await client().chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'ab=' }],
      n: 3,
      seed: 5,
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    })
    const texts = ['', '', '']
    let usage: unknown
    for await (const chunk of stream) {
      for (const c of chunk.choices) texts[c.index] += c.delta.content ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    expect(texts).toEqual(a.choices.map((c) => c.text))
    expect(usage).toEqual(a.usage)
  })

  it('samples concurrent requests in one batch, each as it would be alone', async () => {
    const before = served.batcher.stats.batches
    const asks = [1, 2, 3, 4].map((seed) => ({ model: 'tiny', prompt: 'h7+1=', n: 2, seed, max_tokens: 6 }))
    const together = await Promise.all(asks.map((ask) => client().completions.create(ask)))
    expect(served.batcher.stats.batches - before).toBeLessThan(asks.length)
    expect(served.batcher.stats.largestBatch).toBeGreaterThan(1)
    for (const [i, ask] of asks.entries())
      expect((await client().completions.create(ask)).choices.map((c) => c.text)).toEqual(together[i]!.choices.map((c) => c.text))
  })

  it('gives two requests that arrive together one model.sample call, with the answers each gets alone', async () => {
    const rows: number[] = []
    const counting = { sample: (requests: SampleRequest[]) => (rows.push(requests.length), model.sample(requests)) } as ModelInstance
    const batcher = new SampleBatcher(counting)
    const asks: SampleRequest[] = [1, 2].map((seed) => ({ promptId: `p${seed}`, prompt: 'ab=', n: 2, temperature: 1, topP: 1, seed, maxTokens: 6 }))
    const together = await Promise.all(asks.map((ask) => batcher.sample(ask)))
    expect(rows).toEqual([2])
    expect(batcher.stats).toEqual({ batches: 1, largestBatch: 2, requests: 2 })
    for (const [i, ask] of asks.entries()) expect((await batcher.sample(ask)).completions).toEqual(together[i]!.completions)
    expect(rows).toEqual([2, 1, 1])
  })

  it('answers malformed JSON with 400, an oversized body with 413, a bad field with 400, an unknown model with 404, and outlives a client that goes away', async () => {
    const bad = await fetch(`${baseUrl}/completions`, { method: 'POST', body: '{"model": "tiny", "prompt": ', headers: { 'content-type': 'application/json' } })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json')
    const big = await client()
      .completions.create({ model: 'tiny', prompt: 'a'.repeat(10_000) })
      .catch((e: unknown) => e)
    expect(big).toBeInstanceOf(APIError)
    expect((big as APIError).status).toBe(413)
    const field = await client()
      .completions.create({ model: 'tiny', prompt: 'ab=', n: 0 })
      .catch((e: unknown) => e)
    expect((field as APIError).status).toBe(400)
    const unknown = await client()
      .completions.create({ model: 'nope', prompt: 'ab=' })
      .catch((e: unknown) => e)
    expect((unknown as APIError).status).toBe(404)
    expect((unknown as APIError).code).toBe('model_not_found')
    // A client that aborts mid-request: the server drops its answer and goes on.
    const controller = new AbortController()
    const gone = client().completions.create({ model: 'tiny', prompt: 'ab=', n: 64, seed: 1, max_tokens: 20 }, { signal: controller.signal })
    setTimeout(() => controller.abort(), 5)
    await expect(gone).rejects.toThrow()
    expect((await client().completions.create({ model: 'tiny', prompt: 'ab=', seed: 3, max_tokens: 4 })).choices).toHaveLength(1)
  })

  it('refuses a seed outside [0, 2^32 − 1], which the model would read modulo 2^32, with a 400 naming the field and the range', async () => {
    const texts = async (seed: number) =>
      (await client().completions.create({ model: 'tiny', prompt: 'ab=', n: 3, seed, max_tokens: 8 })).choices.map((c) => c.text)
    for (const seed of [2 ** 32 + 7, 2 ** 40 + 7, -(2 ** 32) + 7, -1, 2 ** 32]) {
      for (const ask of [
        client().completions.create({ model: 'tiny', prompt: 'ab=', seed, max_tokens: 8 }),
        client().chat.completions.create({ model: 'tiny', messages: [{ role: 'user', content: 'ab=' }], seed, max_tokens: 8 }),
      ]) {
        const error = await ask.catch((e: unknown) => e)
        expect(error, `seed ${seed}`).toBeInstanceOf(APIError)
        expect(error).toMatchObject({ status: 400, param: 'seed' })
        expect((error as APIError).message).toContain('seed: must be an integer in [0, 4294967295]')
      }
    }
    // Both ends of the range are honoured, each a seed of its own.
    const [low, high] = [await texts(0), await texts(2 ** 32 - 1)]
    expect(low).toHaveLength(3)
    expect(high).toHaveLength(3)
    expect(high).not.toEqual(low)
  })
})

describe('bench serve streams tokens as they are decoded', () => {
  /** A streamed chunk of either endpoint, as far as these tests read it. */
  interface Chunk {
    choices: Array<{ index: number; text?: string; delta?: { role?: string; content?: string | null }; finish_reason: string | null }>
    usage?: unknown
  }
  /** Reads a stream: each choice's content pieces with their arrival times, finish reasons, roles and usage. */
  async function read(stream: AsyncIterable<Chunk>, n: number) {
    const pieces = Array.from({ length: n }, () => [] as string[])
    const arrivals = Array.from({ length: n }, () => [] as number[])
    const finishes: Array<string | null> = Array.from({ length: n }, () => null)
    const roles: string[] = []
    let usage: unknown
    for await (const chunk of stream) {
      for (const c of chunk.choices) {
        const text = c.text ?? c.delta?.content ?? ''
        if (c.delta?.role) roles[c.index] = c.delta.role
        if (text) {
          expect(finishes[c.index]).toBeNull() // no text after a choice's finish reason
          pieces[c.index]!.push(text)
          arrivals[c.index]!.push(performance.now())
        }
        if (c.finish_reason) finishes[c.index] = c.finish_reason
      }
      if (chunk.usage) usage = chunk.usage
    }
    return { texts: pieces.map((p) => p.join('')), pieces, arrivals, finishes, roles, usage }
  }

  /**
   * The same tiny model (context 64, so a completion takes ~48 decode steps), in process and with
   * two sampling workers, each behind a server that notes when every model.sample call resolves.
   */
  async function makeServers() {
    const plugin = tinyTransformer({ layers: 1, width: 16, heads: 2, context: 64 })
    const made = []
    for (const concurrency of [1, 2]) {
      const m = await plugin.create({ seed: 1, corpus, concurrency, backend: 'wasm' })
      const sampledAt: number[] = []
      const logs: string[] = []
      // A test sets `hold` to keep a model.sample call (its rows given) from starting until it resolves.
      const gate: { hold?: (requests: readonly unknown[]) => Promise<void> } = {}
      const timed: ModelInstance = {
        describe: () => m.describe(),
        sample: async (reqs, o) => {
          await gate.hold?.(reqs)
          const results = await m.sample(reqs, o)
          sampledAt.push(performance.now())
          return results
        },
      }
      const server = createOpenAiServer({ model: timed, modelName: 'tiny', maxBodyBytes: 4096, log: (l) => logs.push(l) })
      const client = new OpenAI({ baseURL: await server.listen(0, '127.0.0.1'), apiKey: 'unused', maxRetries: 0 })
      made.push({ label: concurrency === 1 ? 'in process' : 'two workers', model: m, server, client, sampledAt, logs, gate })
    }
    return made
  }
  // Made on first use and shared by the tests below, closed after them: each test leaves the
  // servers idle (every request answered, nothing held, no log line), and the two sampling threads
  // cost about 0.7 s of CPU each to start from the sources.
  let shared: ReturnType<typeof makeServers> | undefined
  const servers = () => (shared ??= makeServers())
  afterAll(async () => {
    for (const s of (await shared) ?? []) {
      await s.server.close()
      await s.model.dispose?.()
    }
  })

  it('sends one chunk per decoded token for each of n = 2 choices, the first long before sampling ends, with the text and usage of the unstreamed answer (completions and chat)', async () => {
    for (const s of await servers()) {
      const ask = { model: 'tiny', n: 2, seed: 3, max_tokens: 48 }
      const whole = await s.client.completions.create({ ...ask, prompt: 'ab=' })
      const texts = whole.choices.map((c) => c.text)
      for (const t of texts) expect([...t].length, s.label).toBeGreaterThan(20)

      for (const kind of ['completions', 'chat'] as const) {
        s.sampledAt.length = 0
        const stream =
          kind === 'chat'
            ? await s.client.chat.completions.create({
                ...ask,
                messages: [{ role: 'user', content: 'ab=' }],
                stream: true,
                stream_options: { include_usage: true },
              })
            : await s.client.completions.create({ ...ask, prompt: 'ab=', stream: true, stream_options: { include_usage: true } })
        const got = await read(stream as AsyncIterable<Chunk>, 2)
        expect(got.texts, `${s.label} ${kind}`).toEqual(texts)
        expect(got.finishes).toEqual(whole.choices.map((c) => c.finish_reason))
        expect(got.usage).toEqual(whole.usage)
        if (kind === 'chat') expect(got.roles).toEqual(['assistant', 'assistant'])
        // One content chunk per token (no stop strings: nothing is held back).
        expect(got.pieces).toEqual(texts.map((t) => [...t]))
        // The batch was one model.sample call, and each choice's first chunk reached the client
        // before it resolved: the text went out as it was decoded, not after.
        expect(s.sampledAt).toHaveLength(1)
        const sampled = s.sampledAt[0]!
        for (const times of got.arrivals) {
          expect(times[0], `${s.label} ${kind}`).toBeLessThan(sampled)
          expect(times[0]).toBeLessThan(times.at(-1)!)
        }
        // Chunks came over the decode, not in one burst at its end: a good share arrived before it
        // ended (nearly all, measured; workers' messages may come a few at a time on a busy machine).
        const early = got.arrivals.flat().filter((t) => t < sampled).length
        expect(early, `${s.label} ${kind}`).toBeGreaterThan(got.arrivals.flat().length / 4)
      }

      // A stop string: the text up to it, streamed in pieces that never include it.
      const stopped = { ...ask, prompt: 'ab=', stop: [texts[0]!.slice(10, 12)] }
      const cut = await s.client.completions.create(stopped)
      expect(cut.choices[0]!.finish_reason).toBe('stop')
      const cutStream = await read((await s.client.completions.create({ ...stopped, stream: true })) as AsyncIterable<Chunk>, 2)
      expect(cutStream.texts).toEqual(cut.choices.map((c) => c.text))
      expect(cutStream.finishes).toEqual(cut.choices.map((c) => c.finish_reason))
      expect(s.logs).toEqual([])
    }
  }, 120_000)

  /** Where an unstopped text first reaches one of `stops` (ties: the first listed): the text before it and that stop string; none when it never does. */
  function firstStop(full: string, stops: string[]): { text: string; stop: string } | undefined {
    for (let end = 1; end <= full.length; end++) {
      const stop = stops.find((s) => full.slice(0, end).endsWith(s))
      if (stop !== undefined) return { text: full.slice(0, end - stop.length), stop }
    }
    return undefined
  }

  it('reports as stop_reason the stop string that ended each choice, not the first one asked (in process and from workers, streamed or not, both endpoints)', async () => {
    for (const s of await servers()) {
      const ask = { model: 'tiny', n: 2, seed: 3, max_tokens: 48 }
      const unstopped = (await s.client.completions.create({ ...ask, prompt: 'ab=' })).choices
      const full = unstopped.map((c) => c.text)
      for (const t of full) expect([...t].length, s.label).toBeGreaterThan(20)
      // '#' first, which the model never writes ('#' is not in its vocabulary), then pieces of the texts themselves.
      const stop = ['#', full[0]!.slice(8, 10), full[1]!.slice(5, 6)]
      const expected = full.map((t) => firstStop(t, stop))
      expect(expected.some((e) => e !== undefined)).toBe(true)
      const want = full.map((t, i) => {
        const e = expected[i]
        return e ? { text: e.text, finish_reason: 'stop', stop_reason: e.stop } : { text: t, finish_reason: unstopped[i]!.finish_reason, stop_reason: null }
      })
      type Ended = { finish_reason: string | null; stop_reason?: unknown }
      const got = (await s.client.completions.create({ ...ask, prompt: 'ab=', stop })).choices as Array<Ended & { text: string }>
      expect(
        got.map((c) => ({ text: c.text, finish_reason: c.finish_reason, stop_reason: c.stop_reason })),
        s.label,
      ).toEqual(want)
      const chat = await s.client.chat.completions.create({ ...ask, messages: [{ role: 'user', content: 'ab=' }], stop })
      expect(chat.choices.map((c) => ({ text: c.message.content, finish_reason: c.finish_reason, stop_reason: (c as Ended).stop_reason }))).toEqual(want)
      // Streamed: each choice's closing chunk says the same.
      const ends: Array<{ finish_reason: string | null; stop_reason?: unknown }> = []
      for await (const chunk of await s.client.completions.create({ ...ask, prompt: 'ab=', stop, stream: true }))
        for (const c of chunk.choices as Array<Ended & { index: number }>)
          if (c.finish_reason) ends[c.index] = { finish_reason: c.finish_reason, stop_reason: c.stop_reason }
      expect(ends).toEqual(want.map(({ finish_reason, stop_reason }) => ({ finish_reason, stop_reason })))
      expect(s.logs).toEqual([])
    }
  }, 120_000)

  it('survives a client that goes away mid-stream: the requests batched with it get their answers, and the server goes on', async () => {
    for (const s of await servers()) {
      const ask = { model: 'tiny', prompt: 'ab=', n: 2, max_tokens: 48 }
      const alone = await s.client.completions.create({ ...ask, seed: 2 })
      const before = s.sampledAt.length
      // A long request first, its batch held until the two streams that follow are in it or wait
      // behind it, so that the one that leaves shares a batch: it still has its rows decoded
      // there. (Without the hold, a loaded machine could sample each in a batch of its own.)
      s.gate.hold = async (rows) => {
        s.gate.hold = undefined
        while (rows.length + s.server.batcher.waiting < 3) await new Promise((r) => setTimeout(r, 5))
      }
      const blocker = s.client.completions.create({ ...ask, n: 256, seed: 7 })
      const leaving = (async () => {
        let chunks = 0
        for await (const chunk of await s.client.completions.create({ ...ask, seed: 3, stream: true })) {
          chunks += chunk.choices.length
          if (chunks >= 3) break // closes the connection mid-stream
        }
        return chunks
      })()
      const staying = (async () => read((await s.client.completions.create({ ...ask, seed: 2, stream: true })) as AsyncIterable<Chunk>, 2))()
      const [chunks, stayed, blocked] = await Promise.all([leaving, staying, blocker])
      expect(chunks).toBe(3)
      expect(stayed.texts, s.label).toEqual(alone.choices.map((c) => c.text))
      expect(blocked.choices).toHaveLength(256)
      expect(s.sampledAt.length - before).toBeLessThanOrEqual(2)
      expect((await s.client.completions.create({ ...ask, seed: 2 })).choices.map((c) => c.text)).toEqual(alone.choices.map((c) => c.text))
      expect(s.logs).toEqual([])
    }
  }, 120_000)
})
