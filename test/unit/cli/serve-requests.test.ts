/**
 * What `bench serve`'s server accepts and refuses (cli/serve/openai-server.ts, request-guards.ts,
 * sample-batcher.ts): a seed per prompt when none is given, the cap on completions per request,
 * batches stopped when every requester has gone, JSON bodies only, loopback Host headers only,
 * the log-probabilities it cannot give refused, `GET /v1/models/{id}`, the key check. The real
 * server on loopback over the tabular model, the official `openai` client, `fetch` and raw
 * `node:http` / `node:net` for what a client library would not send.
 */
import { request } from 'node:http'
import { connect } from 'node:net'
import OpenAI, { APIError, NotFoundError } from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ModelInstance, SampleOptions, SampleRequest } from '../../../core/plugin-api/model.js'
import { createOpenAiServer, type OpenAiServer } from '../../../cli/serve/openai-server.js'
import { isLoopbackAddress, isLoopbackHost } from '../../../cli/serve/request-guards.js'
import { SampleBatcher } from '../../../cli/serve/sample-batcher.js'
import { tabular } from '../../../plugins/models/tabular/index.js'

// 64 equally likely answers: two independent draws of four agree with probability 64^-4.
const answers = Array.from({ length: 64 }, (_, i) => `a${i}`)
let model: ModelInstance
let served: OpenAiServer
let url: string
let port: number
const logs: string[] = []
const client = (apiKey = 'unused') => new OpenAI({ baseURL: url, apiKey, maxRetries: 0 })

beforeAll(async () => {
  model = await tabular({ answers, initScale: 0 }).create({ seed: 0, corpus: '', concurrency: 1 })
  served = createOpenAiServer({ model, modelName: 'tab', maxBodyBytes: 1 << 20, log: (l) => logs.push(l) })
  url = await served.listen(0, '127.0.0.1')
  port = Number(new URL(url).port)
})
afterAll(() => served.close())

/** A raw request with the headers given (Node's fetch sets Host itself): its status and parsed body. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; body: { error?: { message: string; code: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => (text += d))
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as never }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const texts = (answer: { choices: Array<{ text: string }> }) => answer.choices.map((c) => c.text)

describe('bench serve samples', () => {
  it('each prompt with a seed of its own when the request has none, and with the request seed exactly as before when it has one', async () => {
    const ask = { model: 'tab', prompt: ['q', 'q', 'q'], n: 4 }
    const unseeded = texts(await client().completions.create(ask))
    const perPrompt = [0, 1, 2].map((i) => unseeded.slice(i * 4, i * 4 + 4).join(' '))
    expect(new Set(perPrompt).size).toBe(3)
    // Seeded: every prompt takes the request's seed, as the model would sample it in process.
    const seeded = texts(await client().completions.create({ ...ask, seed: 7 }))
    const [alone] = await model.sample([{ promptId: 'q', prompt: 'q', n: 4, temperature: 1, topP: 1, seed: 7 }])
    expect(seeded).toEqual([0, 1, 2].flatMap(() => alone!.completions.map((c) => c.text)))
  })

  it('at most 4096 completions (n × prompts) per request by default, refusing more with a 400 that names the limit and its flag', async () => {
    const over = await client()
      .completions.create({ model: 'tab', prompt: ['q', 'r', 's', 't', 'u'], n: 1024, seed: 1 })
      .catch((e: unknown) => e)
    expect(over).toBeInstanceOf(APIError)
    expect(over).toMatchObject({ status: 400, param: 'n', code: 'too_many_completions' })
    expect((over as APIError).message).toContain(
      "1024 completions × 5 prompts = 5120 is over this server's limit of 4096 completions per request (bench serve --max-completions)",
    )
    expect(texts(await client().completions.create({ model: 'tab', prompt: ['q', 'r', 's', 't'], n: 1024, seed: 1 }))).toHaveLength(4096)
    const small = createOpenAiServer({ model, modelName: 'tab', maxBodyBytes: 4096, maxCompletions: 3 })
    try {
      const chat = new OpenAI({ baseURL: await small.listen(0, '127.0.0.1'), apiKey: 'unused', maxRetries: 0 }).chat.completions
      await expect(chat.create({ model: 'tab', messages: [{ role: 'user', content: 'q' }], n: 4 })).rejects.toMatchObject({ status: 400, param: 'n' })
      expect((await chat.create({ model: 'tab', messages: [{ role: 'user', content: 'q' }], n: 3 })).choices).toHaveLength(3)
    } finally {
      await small.close()
    }
  })

  it('stops a batch once every requester has gone, and drops a waiting request whose requester left', async () => {
    // The real tabular model behind a gate: the first batch is handed to the model, which starts
    // once its requester has left (or after 2 s), as a long batch would still be decoding then.
    const calls: Array<{ aborted: boolean; outcome: string }> = []
    let started!: () => void
    const inModel = new Promise<void>((r) => (started = r))
    const gated: ModelInstance = {
      describe: () => model.describe(),
      sample: async (reqs: SampleRequest[], o?: SampleOptions) => {
        const deadline = Date.now() + (calls.length === 0 ? 2_000 : 0)
        started()
        while (!o?.signal?.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
        const call = { aborted: o?.signal?.aborted === true, outcome: 'answered' }
        calls.push(call)
        try {
          return await model.sample(reqs, o)
        } catch (error) {
          call.outcome = (error as { code?: string }).code ?? 'failed'
          throw error
        }
      },
    }
    const glogs: string[] = []
    const server = createOpenAiServer({ model: gated, modelName: 'tab', maxBodyBytes: 4096, log: (l) => glogs.push(l) })
    try {
      const api = new OpenAI({ baseURL: await server.listen(0, '127.0.0.1'), apiKey: 'unused', maxRetries: 0 })
      const leaving = new AbortController()
      const gone = api.completions.create({ model: 'tab', prompt: ['q', 'r'], n: 8, seed: 1 }, { signal: leaving.signal })
      await inModel
      leaving.abort()
      await expect(gone).rejects.toThrow()
      await server.batcher.idle()
      expect(calls).toEqual([{ aborted: true, outcome: 'BENCH_ABORTED' }])
      // The server goes on, and says nothing of a client that left.
      expect(texts(await api.completions.create({ model: 'tab', prompt: 'q', n: 2, seed: 1 }))).toHaveLength(2)
      expect(glogs).toEqual([])
    } finally {
      await server.close()
    }
    // A request whose requester has already gone never reaches the model.
    const rows: number[] = []
    const batcher = new SampleBatcher({ describe: () => model.describe(), sample: (reqs, o) => (rows.push(reqs.length), model.sample(reqs, o)) })
    const left = new AbortController()
    const waiting = batcher.sample({ promptId: 'a', prompt: 'q', n: 2, temperature: 1, seed: 1 }, undefined, left.signal)
    left.abort()
    await expect(waiting).rejects.toMatchObject({ code: 'BENCH_ABORTED' })
    await batcher.idle()
    expect(rows).toEqual([])
  })
})

describe('bench serve refuses', () => {
  const body = JSON.stringify({ model: 'tab', prompt: 'q', seed: 1 })

  it('a POST body not sent as JSON (415): a web page can send text/plain anywhere without a preflight', async () => {
    const plain = await fetch(`${url}/completions`, { method: 'POST', body })
    expect(plain.status).toBe(415)
    expect(((await plain.json()) as { error: { message: string } }).error.message).toContain('Content-Type: application/json')
    const form = await fetch(`${url}/chat/completions`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(form.status).toBe(415)
    const json = await fetch(`${url}/completions`, { method: 'POST', body, headers: { 'content-type': 'Application/JSON; charset=utf-8' } })
    expect(json.status).toBe(200)
  })

  it('on loopback, a Host header that names another host (403): DNS rebinding cannot reach it', async () => {
    const json = { 'content-type': 'application/json' }
    const rebound = await raw('POST', '/v1/completions', { ...json, host: `attacker.example:${port}` }, body)
    expect(rebound.status).toBe(403)
    expect(rebound.body.error!.message).toContain('answers only Host localhost, 127.0.0.1 or [::1]')
    expect((await raw('GET', '/v1/models', { host: 'attacker.example' })).status).toBe(403)
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LocalHost', '127.0.0.1'])
      expect((await raw('POST', '/v1/completions', { ...json, host }, body)).status, host).toBe(200)
    expect([isLoopbackHost('127.1.2.3:80'), isLoopbackHost('localhost.attacker.example'), isLoopbackHost('[::2]:8000')]).toEqual([true, false, false])
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost', '0.0.0.0', '::', '192.168.1.2'].map(isLoopbackAddress)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ])
  })

  it('log-probabilities it cannot give (400): top alternatives, and any while streaming; logprobs: 0 is answered', async () => {
    const refused = async (ask: Promise<unknown>, param: string) => {
      const error = await ask.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(APIError)
      expect(error).toMatchObject({ status: 400, param })
      expect((error as APIError).message).toContain('not supported')
    }
    const chat = { model: 'tab', messages: [{ role: 'user' as const, content: 'q' }] }
    await refused(client().chat.completions.create({ ...chat, logprobs: true, top_logprobs: 2 }), 'top_logprobs')
    await refused(client().completions.create({ model: 'tab', prompt: 'q', logprobs: 1 }), 'logprobs')
    await refused(client().completions.create({ model: 'tab', prompt: 'q', logprobs: 0, stream: true }), 'logprobs')
    await refused(client().chat.completions.create({ ...chat, logprobs: true, stream: true }), 'logprobs')
    const zero = await client().completions.create({ model: 'tab', prompt: 'q', logprobs: 0, seed: 1 })
    expect(zero.choices[0]!.logprobs!.token_logprobs).toHaveLength(1)
    expect((await client().chat.completions.create({ ...chat, logprobs: true, top_logprobs: 0 })).choices[0]!.logprobs!.content).toHaveLength(1)
  })

  it('nothing the openai client asks of a model: models.retrieve gives its card, an unknown id a 404', async () => {
    expect(await client().models.retrieve('tab')).toMatchObject({ id: 'tab', object: 'model', owned_by: 'bonbench' })
    await expect(client().models.retrieve('gpt-9')).rejects.toBeInstanceOf(NotFoundError)
  })

  it('a wrong key (401), comparing it in constant time and taking the Bearer scheme in any case', async () => {
    const guarded = createOpenAiServer({ model, modelName: 'tab', maxBodyBytes: 4096, apiKey: 'right-key' })
    try {
      const base = await guarded.listen(0, '127.0.0.1')
      const models = (authorization?: string) => fetch(`${base}/models`, { headers: authorization ? { authorization } : {} }).then((r) => r.status)
      expect(await models('Bearer right-key')).toBe(200)
      expect(await models('bearer right-key')).toBe(200)
      expect(await models('BEARER right-key')).toBe(200)
      for (const wrong of ['Bearer wrong-key', 'Bearer right-key-longer', 'Bearer r', 'Basic right-key', 'right-key', undefined])
        expect(await models(wrong), wrong).toBe(401)
    } finally {
      await guarded.close()
    }
  })
})

describe('bench serve logs', () => {
  it('a client that leaves while sending its body as a note, not an error', async () => {
    logs.length = 0
    const arrived = new Promise<void>((resolve) => served.server.once('request', () => resolve()))
    const socket = connect(port, '127.0.0.1')
    socket.write(`POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"mo`)
    await arrived
    socket.destroy()
    for (let i = 0; i < 200 && logs.length === 0; i++) await new Promise((r) => setTimeout(r, 5))
    expect(logs).toEqual(['note: the client went away before sending its whole request body (dropped)'])
  })
})
