/**
 * How `bench serve`'s server stops (cli/serve/openai-server.ts `close()`, what SIGINT and SIGTERM
 * run): a request still sending its body does not hold the stop, a slow reader gets its whole
 * answer, and a response not finished by the deadline is cut and named. The real server on
 * loopback over the tabular model (answers as long as the test needs), raw `node:net` clients.
 */
import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { createOpenAiServer, type OpenAiServer } from '../../../cli/serve/openai-server.js'
import { tabular } from '../../../plugins/models/tabular/index.js'

/** A served tabular model whose every completion is `answerChars` characters long. */
async function serveLong(answerChars: number, drainTimeoutMs?: number) {
  const model = await tabular({ answers: ['x'.repeat(answerChars)], initScale: 0 }).create({ seed: 0, corpus: '', concurrency: 1 })
  const logs: string[] = []
  const served = createOpenAiServer({ model, modelName: 'tab', maxBodyBytes: 4096, drainTimeoutMs, log: (l) => logs.push(l) })
  const port = Number(new URL(await served.listen(0, '127.0.0.1')).port)
  return { served, port, logs }
}

/** A raw POST /v1/completions: its headers and the first `bodyBytes` of its body (all of it when omitted). */
function post(port: number, body: string, bodyBytes = body.length): Socket {
  const socket = connect(port, '127.0.0.1')
  socket.write(
    `POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, bodyBytes)}`,
  )
  return socket
}

/** Whether `promise` settles within `ms` (the test gives up on it otherwise). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const settled = await Promise.race([promise.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)))])
  clearTimeout(timer)
  return settled
}

/** Resolves on the server's next request, once its handler has run (it has started reading the body). */
const nextRequest = (served: OpenAiServer) => new Promise<void>((resolve) => served.server.once('request', () => resolve()))

describe('bench serve stops', () => {
  it('at once when a client sends only part of its body, closing that connection and saying so (its default 30 s deadline not needed)', async () => {
    const { served, port, logs } = await serveLong(4)
    const arrived = nextRequest(served)
    const client = post(port, JSON.stringify({ model: 'tab', prompt: 'q', padding: 'p'.repeat(80) }), 4)
    const clientClosed = new Promise<void>((resolve) => client.on('close', () => resolve()))
    client.on('error', () => {})
    await arrived
    try {
      expect(await within(served.close(), 5_000)).toBe(true)
      expect(await within(clientClosed, 1_000)).toBe(true)
      expect(logs).toEqual(['stopping: closed 1 connection whose request body was still arriving'])
    } finally {
      client.destroy()
    }
  })

  it('after sending a slow reader its whole answer (16 MB, end() already called when the stop begins)', async () => {
    const { served, port, logs } = await serveLong(16_000)
    const client = post(port, JSON.stringify({ model: 'tab', prompt: 'q', n: 1024, seed: 1 }))
    const received: Buffer[] = []
    let stopped = false
    const ended = new Promise<void>((resolve) => client.on('close', () => resolve()))
    // The answer is one JSON body written by a single end(): its first bytes mean end() was called.
    await new Promise<void>((resolve) =>
      client.once('data', (first: Buffer) => {
        received.push(first)
        client.pause()
        resolve()
      }),
    )
    const closing = served.close().then(() => (stopped = true))
    // A slow reader: it takes the rest only after the stop has begun, 64 KiB at a time.
    await new Promise((r) => setTimeout(r, 200))
    client.on('data', (chunk: Buffer) => {
      received.push(chunk)
      client.pause()
      setImmediate(() => client.resume())
    })
    client.resume()
    await ended
    await closing
    const text = Buffer.concat(received).toString('utf8')
    const body = text.slice(text.indexOf('\r\n\r\n') + 4)
    expect(Buffer.byteLength(body)).toBe(Number(/content-length: (\d+)/i.exec(text)![1]))
    expect(Buffer.byteLength(body)).toBeGreaterThan(16_000_000)
    const answer = JSON.parse(body) as { choices: Array<{ text: string }> }
    expect(answer.choices).toHaveLength(1024)
    expect(answer.choices.every((c) => c.text.length === 16_000)).toBe(true)
    expect(stopped).toBe(true)
    expect(logs).toEqual([])
  })

  it('by its deadline when a reader never reads, closing that connection and saying so', async () => {
    const { served, port, logs } = await serveLong(16_000, 300)
    const client = post(port, JSON.stringify({ model: 'tab', prompt: 'q', n: 1024, seed: 1 }))
    client.on('error', () => {})
    await new Promise<void>((resolve) => client.once('data', () => (client.pause(), resolve())))
    try {
      expect(await within(served.close(), 5_000)).toBe(true)
      expect(logs).toEqual(['stopping: closed 1 connection whose response was not finished after 0.3 s (cut short)'])
    } finally {
      client.destroy()
    }
  })
})
