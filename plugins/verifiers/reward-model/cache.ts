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

/** JSON with object keys sorted, so equal content always hashes equally. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** sha256 (hex) of a value's stable JSON: the content hash that keys the cache. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex')
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
