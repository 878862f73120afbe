import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RequestBody } from './request-body.js'

/**
 * Answers kept on disk under `<cacheDir>/openai-compatible/`, one JSON file per request, named by
 * the sha256 of (endpoint, request body) — the body holds the model name, the prompt and every
 * sampling parameter including the seed, and never the key or the base URL (a server restarted on
 * another port answers the same). The model name is therefore what tells two servers' weights
 * apart: a server must give different weights different names (`bench serve` names its model
 * `<plugin>@<checkpoint hash>`). A cached answer is the server's answer byte for byte, so a rerun
 * or `--resume` reads the same completions without paying for them again. Writes go through a
 * temporary file and a rename, so a killed run never leaves half an answer behind.
 */
export class RequestCache {
  readonly dir: string

  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'openai-compatible')
  }

  /** The content hash of a request: the cache key (typed so that the model name is always in it). */
  static key(endpoint: string, body: RequestBody): string {
    return createHash('sha256').update(JSON.stringify({ endpoint, body })).digest('hex')
  }

  #file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`)
  }

  /** The cached answer, or undefined when there is none (or it cannot be read). */
  async get(key: string): Promise<unknown> {
    try {
      return JSON.parse(await readFile(this.#file(key), 'utf8')) as unknown
    } catch {
      return undefined
    }
  }

  async set(key: string, answer: unknown): Promise<void> {
    const file = this.#file(key)
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true })
    const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
    await writeFile(tmp, JSON.stringify(answer))
    await rename(tmp, file)
  }
}
