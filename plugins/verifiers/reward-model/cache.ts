import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { SerialisedWeights, ScorerShape } from './scorer-net.js'

/** What one trained reward model leaves in the cache: enough to score without retraining. */
export interface CachedRewardModel {
  format: 1
  hash: string
  shape: ScorerShape
  weights: SerialisedWeights
  /** The facts prepare returned when it trained (AUC, sizes), replayed on a hit. */
  facts: Record<string, unknown>
}

/**
 * What JSON.stringify writes, with object keys sorted, so equal content always hashes equally:
 * `toJSON` is honoured (a Date is its time, not `{}`), an undefined or function member is left out
 * and is `null` in an array. Undefined where JSON.stringify gives undefined.
 */
function stableStringify(value: unknown): string | undefined {
  const json = hasToJson(value) ? value.toJSON() : value
  if (Array.isArray(json)) return `[${json.map((item) => stableStringify(item) ?? 'null').join(',')}]`
  if (json && typeof json === 'object') {
    const members = Object.keys(json)
      .sort()
      .flatMap((key) => {
        const text = stableStringify((json as Record<string, unknown>)[key])
        return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`]
      })
    return `{${members.join(',')}}`
  }
  return JSON.stringify(json) as string | undefined
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function'
}

/** sha256 (hex) of a value's stable JSON: the content hash that keys the cache. */
export function contentHash(value: unknown): string {
  return createHash('sha256')
    .update(stableStringify(value) ?? 'null')
    .digest('hex')
}

/** The cache file of one content hash under the run's cache folder. */
export function cacheFile(cacheDir: string, hash: string): string {
  return path.join(cacheDir, 'reward-model', `${hash}.json`)
}

/**
 * Reads a cached model; undefined when absent or unreadable (a corrupt entry is retrained and
 * overwritten, never trusted).
 */
export async function readCachedModel(cacheDir: string, hash: string): Promise<CachedRewardModel | undefined> {
  try {
    const entry = JSON.parse(await readFile(cacheFile(cacheDir, hash), 'utf8')) as CachedRewardModel
    return entry.format === 1 && entry.hash === hash ? entry : undefined
  } catch {
    return undefined
  }
}

/** Writes a cache entry atomically (temp file + rename), so a killed run never leaves half a file. */
export async function writeCachedModel(cacheDir: string, entry: CachedRewardModel): Promise<string> {
  const file = cacheFile(cacheDir, entry.hash)
  await mkdir(path.dirname(file), { recursive: true })
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`
  await writeFile(temp, JSON.stringify(entry))
  await rename(temp, file)
  return file
}
