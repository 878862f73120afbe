import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import type { Problem, TaskData } from 'bonbench'
import { BenchError, deriveSeed } from 'bonbench'

/** One parsed line of a JSON Lines file: its 1-based line number and object. */
export interface JsonlRecord {
  line: number
  value: Record<string, unknown>
}

/** A JSON Lines file as read: records, where it was, and the sha256 of its bytes on disk. */
export interface JsonlFile {
  path: string
  sha256: string
  records: JsonlRecord[]
}

async function isDirectory(file: string): Promise<boolean | undefined> {
  try {
    return (await stat(file)).isDirectory()
  } catch {
    return undefined
  }
}

/**
 * Finds the data file of a dataset-backed task from the user's `--data` path: the file itself, or
 * in a folder the explicit `file` option or the first of `candidates` that exists. Runs in
 * `task.load`; throws BENCH_DATA_MISSING (naming the plugin and what to pass) when none is found.
 */
export async function resolveDataFile(plugin: string, dataPath: string | undefined, candidates: string[], file?: string): Promise<string> {
  const hint = `Pass --data <file.jsonl[.gz]> or a folder holding ${candidates.join(' or ')}.`
  if (!dataPath) throw new BenchError('BENCH_DATA_MISSING', `${plugin} loads a dataset but no data path was given. ${hint}`)
  const kind = await isDirectory(dataPath)
  if (kind === undefined) throw new BenchError('BENCH_DATA_MISSING', `${plugin}: data path ${dataPath} does not exist. ${hint}`)
  if (!kind) return dataPath
  for (const name of file ? [file] : candidates) {
    const full = path.join(dataPath, name)
    if ((await isDirectory(full)) === false) return full
  }
  throw new BenchError('BENCH_DATA_MISSING', `${plugin}: found none of ${(file ? [file] : candidates).join(', ')} in ${dataPath}. ${hint}`)
}

/** The BenchError for a bad record: names the plugin, the file and the line. */
export function invalidLine(plugin: string, file: string, line: number, what: string): BenchError {
  return new BenchError('BENCH_DATA_INVALID', `${plugin}: ${file}:${line}: ${what}. Fix or remove that line, or point --data at an unmodified copy.`)
}

/**
 * Parses JSON Lines text into objects with their 1-based line numbers; blank lines are skipped and
 * a line that is not a JSON object throws the error `bad(line, what)` builds (so each caller names
 * its own file and fix).
 */
export function parseJsonlObjects(text: string, bad: (line: number, what: string) => Error): JsonlRecord[] {
  const records: JsonlRecord[] = []
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (error) {
      throw bad(i + 1, `not valid JSON (${(error as Error).message})`)
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(i + 1, 'not a JSON object')
    records.push({ line: i + 1, value: value as Record<string, unknown> })
  })
  return records
}

/**
 * Reads a `.jsonl` or `.jsonl.gz` file (gzip detected by its magic bytes). Blank lines are skipped;
 * a line that is not a JSON object throws BENCH_DATA_INVALID naming file and line. The sha256 is of
 * the bytes on disk, for the run manifest.
 */
export async function readJsonl(plugin: string, file: string): Promise<JsonlFile> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (cause) {
    throw new BenchError('BENCH_DATA_MISSING', `${plugin}: cannot read ${file}. Check the --data path.`, { cause })
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  let text: string
  try {
    text = decodeMaybeGzip(bytes)
  } catch (cause) {
    throw new BenchError('BENCH_DATA_INVALID', `${plugin}: ${file} is not a readable gzip file. Re-download it or pass the uncompressed .jsonl.`, { cause })
  }
  const records = parseJsonlObjects(text, (line, what) => invalidLine(plugin, file, line, what))
  return { path: file, sha256, records }
}

/** The UTF-8 text of file bytes, gunzipped first when they start with the gzip magic bytes 0x1f 0x8b; throws zlib's error for a corrupt gzip stream. */
export function decodeMaybeGzip(bytes: Buffer): string {
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8')
}

/**
 * Parses every record of `data` with a task's `parse`, in file order; a rejected record, then a
 * repeated problem id (`duplicate <idLabel> '<id>'`), throws BENCH_DATA_INVALID naming file and
 * line. Returns the accepted results, extra fields included.
 */
export function parseUniqueRecords<R extends { ok: true; problem: { id: string } }>(
  plugin: string,
  data: JsonlFile,
  parse: (record: JsonlRecord) => R | { ok: false; reason: string },
  idLabel: string,
): R[] {
  const seen = new Set<string>()
  const results: R[] = []
  for (const record of data.records) {
    const result = parse(record)
    if (!result.ok) throw invalidLine(plugin, data.path, record.line, result.reason)
    if (seen.has(result.problem.id)) throw invalidLine(plugin, data.path, record.line, `duplicate ${idLabel} '${result.problem.id}'`)
    seen.add(result.problem.id)
    results.push(result)
  }
  return results
}

/** TaskData of a dataset task: the first `limit` problems (all when unset), split by `trainFraction`, with the file's sha256. */
export function datasetSplit(data: JsonlFile, problems: Problem[], o: { limit?: number; trainFraction: number }): TaskData {
  const kept = o.limit ? problems.slice(0, o.limit) : problems
  return { ...splitByFraction(kept, o.trainFraction), files: [{ path: data.path, sha256: data.sha256 }] }
}

/** Fills `{name}` placeholders of a prompt template. */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole)
}

/**
 * Splits evaluation data: a problem goes to train when a hash of its id falls below
 * `trainFraction` (0 → everything in test). Stable across runs and independent of file order.
 */
export function splitByFraction(problems: Problem[], trainFraction: number): { train: Problem[]; test: Problem[] } {
  const train: Problem[] = []
  const test: Problem[] = []
  for (const p of problems) (deriveSeed(0, 'split', p.id) / 2 ** 32 < trainFraction ? train : test).push(p)
  return { train, test }
}
