import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { modelHash } from '../../core/plugin-api/index.js'
import type { ModelInstance } from '../../core/plugin-api/model.js'

/** Hex digits of the weights' hash in a served model name: 48 bits, no collision between checkpoints in practice. */
const HASH_DIGITS = 12

/**
 * The model name `bench serve` lists and answers to when `--served-model-name` is not given:
 * `<plugin>@<first 12 hex digits of the weights' hash>` — the checkpoint content hash the loaded
 * model reports (`modelHash`), else a sha256 of every file in the checkpoint folder — then, for a
 * model that computes on a TensorFlow.js backend (`usesBackend`), `-<backend>` (the one it runs
 * on, e.g. `-wasm`). Runs once at start. Guarantees that two different checkpoints, or one
 * checkpoint on two backends, never share a name: a client's request cache (openai-compatible's)
 * keys answers by the model name, not by the server's address, so a shared name would let one
 * checkpoint's cached answers stand for another's, and answers computed on one backend (whose
 * last digits differ, e.g. a GPU's) stand for another's.
 */
export async function defaultServedModelName(
  plugin: string,
  model: ModelInstance,
  checkpointDir: string,
  opts: { usesBackend?: boolean } = {},
): Promise<string> {
  // An empty hash names nothing, so it falls back too.
  const hash = (await modelHash(model)) || (await folderHash(checkpointDir))
  const backend = opts.usesBackend === false ? '' : model.describe().backend
  return `${plugin}@${hash.slice(0, HASH_DIGITS)}${backend ? `-${backend}` : ''}`
}

/** sha256 over a folder's files (relative path and bytes of each, in sorted order): for a model that reports no hash. */
async function folderHash(dir: string): Promise<string> {
  const h = createHash('sha256')
  for (const file of (await filesUnder(dir)).sort()) h.update(`\0${file}\0`).update(await readFile(join(dir, file)))
  return h.digest('hex')
}

/** Every file under `dir`, as a path relative to it. */
async function filesUnder(dir: string, sub = ''): Promise<string[]> {
  const entries = await readdir(join(dir, sub), { withFileTypes: true })
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? filesUnder(dir, join(sub, e.name)) : Promise.resolve(e.isFile() ? [join(sub, e.name)] : []))),
  )
  return nested.flat()
}
