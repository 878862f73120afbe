import { execa, type ResultPromise } from 'execa'
import { Redis } from 'ioredis'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The env var naming a Redis for the tests (`.ci/run` starts one and exports it): `redis://127.0.0.1:PORT`. */
export const REDIS_URL_ENV = 'BONBENCH_TEST_REDIS_URL'

/** Debian's redis-server (package `redis-server`); `.ci/run` installs it when missing. */
export const REDIS_SERVER_BIN = process.env.BONBENCH_REDIS_SERVER ?? '/usr/bin/redis-server'

/** A Redis for a test: its URL, and how to stop (or restart) it when the test started it. */
export interface TestRedis {
  url: string
  port: number
  /** True when this helper started the server (else it came from BONBENCH_TEST_REDIS_URL). */
  owned: boolean
  /** Stops the server this helper started (SIGTERM, waits for exit) and removes its folder; a no-op for a given one. */
  stop(): Promise<void>
  /** Stops and starts it again on the same port, empty (no persistence): what a Redis restart without AOF does. */
  restart(): Promise<void>
}

/** A free TCP port on loopback, as the kernel picks it. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** `url` (a Redis URL, with or without a database number) on database `db`. */
export function redisDb(url: string, db: number): string {
  return `${url.replace(/\/\d*$/, '')}/${db}`
}

/**
 * Empties database `db` of the Redis at `url`: a test's own database on a given Redis starts empty,
 * without the jobs an earlier run of the suite left there (a coordinator stopped by
 * --worker-timeout leaves its jobs waiting), which a worker of this run would take first.
 */
export async function emptyDb(url: string, db: number): Promise<void> {
  const connection = new Redis(redisDb(url, db), { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await connection.connect()
    await connection.flushdb()
  } finally {
    connection.disconnect()
  }
}

/**
 * A real Redis for a test: BONBENCH_TEST_REDIS_URL when set (each test then uses its own database
 * number, `db`, emptied first), else its own `redis-server` on a free loopback port, in a temporary folder, with
 * persistence off (`--save '' --appendonly no`): nothing is left behind once `stop()` returns.
 * `own`: always start one (a test that restarts it).
 */
export async function startRedis(opts: { db?: number; own?: boolean } = {}): Promise<TestRedis> {
  const given = process.env[REDIS_URL_ENV]
  // `own`: a test that restarts Redis needs a server of its own.
  if (given && !opts.own) {
    if (opts.db !== undefined) await emptyDb(given, opts.db)
    const url = opts.db !== undefined ? redisDb(given, opts.db) : given
    return { url, port: Number(new URL(given).port || 6379), owned: false, stop: async () => {}, restart: async () => {} }
  }
  const dir = mkdtempSync(join(tmpdir(), 'bonbench-redis-'))
  const port = await freePort()
  let child: ResultPromise | undefined
  const launch = async () => {
    const proc = execa(
      REDIS_SERVER_BIN,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'],
      { reject: false, cwd: dir },
    )
    child = proc
    await waitForPort(port, proc)
  }
  const halt = async () => {
    if (!child) return
    const proc = child
    child = undefined
    proc.kill('SIGTERM')
    await proc
  }
  await launch()
  const url = `redis://127.0.0.1:${port}${opts.db !== undefined ? `/${opts.db}` : ''}`
  return {
    url,
    port,
    owned: true,
    stop: async () => {
      await halt()
      const left = readdirSync(dir)
      rmSync(dir, { recursive: true, force: true })
      if (left.length > 0) throw new Error(`redis-server left files behind in ${dir}: ${left.join(', ')}`)
    },
    restart: async () => {
      await halt()
      await launch()
    },
  }
}

/** Resolves once something accepts connections on the port; rejects if the server exits first. */
async function waitForPort(port: number, proc: ResultPromise): Promise<void> {
  const { connect } = await import('node:net')
  let exited = false
  void proc.then(() => (exited = true))
  for (let i = 0; i < 200; i++) {
    if (exited) throw new Error(`redis-server exited before listening on ${port}: ${String((await proc).stderr)}`)
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => (socket.destroy(), resolve(true)))
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`redis-server did not listen on ${port} within 5 s`)
}
