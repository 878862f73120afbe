import { createHash } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { BenchError } from 'bonbench'
import type { ModelConfig } from './model-config.js'
import { paramSpecs, sizeOf } from './model-config.js'
import type { ResolvedTinyTransformerOptions } from './options.js'
import { resolveOptions } from './options.js'
import { CharTokenizer } from './tokenizer.js'
import type { TokenizerJson } from './tokenizer.js'

/** Written into config.json; bumped when the file layout changes. */
export const CHECKPOINT_FORMAT = 'bonbench-tiny-transformer/1'

/** The three files of a checkpoint, as bytes/text (what the content hash covers). */
export interface CheckpointFiles {
  /** weights.bin: every parameter as little-endian float32, in `paramSpecs` order. */
  weights: Buffer
  tokenizer: string
  config: string
}

/** The options that define a checkpoint (runtime choices — backend, batching, workers — excluded). */
function savedOptions(o: ResolvedTinyTransformerOptions) {
  const { layers, width, heads, context, mlpRatio, dropout, positions, learningRate, clipNorm } = o
  return { layers, width, heads, context, mlpRatio, dropout, positions, learningRate, clipNorm }
}

/** Serialises a model's weights, tokenizer and config (deterministically: same model, same bytes). */
export function checkpointFiles(cfg: ModelConfig, options: ResolvedTinyTransformerOptions, tokenizer: CharTokenizer, weights: Float32Array[]): CheckpointFiles {
  const total = weights.reduce((n, w) => n + w.length, 0)
  const all = new Float32Array(total)
  let offset = 0
  for (const w of weights) {
    all.set(w, offset)
    offset += w.length
  }
  const config = {
    format: CHECKPOINT_FORMAT,
    options: savedOptions(options),
    vocab: cfg.vocab,
    params: paramSpecs(cfg).map((s) => ({ name: s.name, shape: s.shape })),
  }
  return {
    weights: Buffer.from(all.buffer, all.byteOffset, all.byteLength),
    tokenizer: JSON.stringify(tokenizer.toJSON()) + '\n',
    config: JSON.stringify(config, null, 2) + '\n',
  }
}

/** sha256 over weights.bin, tokenizer.json and config.json (with separators): names the checkpoint in results. */
export function checkpointHash(files: CheckpointFiles): string {
  const h = createHash('sha256')
  h.update(files.weights)
  h.update('\0tokenizer.json\0')
  h.update(files.tokenizer)
  h.update('\0config.json\0')
  h.update(files.config)
  return h.digest('hex')
}

/** Writes the checkpoint into `dir` (created if needed) plus checkpoint.json holding the hash. */
export async function writeCheckpoint(dir: string, files: CheckpointFiles): Promise<string> {
  await mkdir(dir, { recursive: true })
  const hash = checkpointHash(files)
  await writeFile(path.join(dir, 'weights.bin'), files.weights)
  await writeFile(path.join(dir, 'tokenizer.json'), files.tokenizer)
  await writeFile(path.join(dir, 'config.json'), files.config)
  await writeFile(path.join(dir, 'checkpoint.json'), JSON.stringify({ format: CHECKPOINT_FORMAT, hash }, null, 2) + '\n')
  return hash
}

/** A checkpoint read back and checked against its recorded hash. */
export interface LoadedCheckpoint {
  options: ResolvedTinyTransformerOptions
  tokenizer: CharTokenizer
  weights: Float32Array[]
  hash: string
}

/** Reads a checkpoint written by `writeCheckpoint`; throws BENCH_DATA_INVALID when it is missing parts or was altered. */
export async function readCheckpoint(dir: string, runtime: Partial<ResolvedTinyTransformerOptions> = {}): Promise<LoadedCheckpoint> {
  const fail = (why: string, cause?: unknown) =>
    new BenchError('BENCH_DATA_INVALID', `bonbench:tiny-transformer: cannot load checkpoint ${dir}: ${why}`, { cause })
  let files: CheckpointFiles
  let recorded: { format?: string; hash?: string }
  try {
    files = {
      weights: await readFile(path.join(dir, 'weights.bin')),
      tokenizer: await readFile(path.join(dir, 'tokenizer.json'), 'utf8'),
      config: await readFile(path.join(dir, 'config.json'), 'utf8'),
    }
    recorded = JSON.parse(await readFile(path.join(dir, 'checkpoint.json'), 'utf8'))
  } catch (error) {
    throw fail('expected weights.bin, tokenizer.json, config.json and checkpoint.json written by save()', error)
  }
  const hash = checkpointHash(files)
  if (recorded.hash !== hash) throw fail(`content hash ${hash.slice(0, 12)} does not match the recorded ${String(recorded.hash).slice(0, 12)}`)
  const config = JSON.parse(files.config) as { format: string; options: Record<string, unknown>; vocab: number }
  if (config.format !== CHECKPOINT_FORMAT) throw fail(`format ${config.format}, expected ${CHECKPOINT_FORMAT}`)
  const options = resolveOptions({ ...config.options, ...runtime })
  const tokenizer = CharTokenizer.fromJSON(JSON.parse(files.tokenizer) as TokenizerJson)
  const all = new Float32Array(files.weights.buffer.slice(files.weights.byteOffset, files.weights.byteOffset + files.weights.byteLength))
  const weights: Float32Array[] = []
  let offset = 0
  for (const spec of paramSpecs({ ...options, vocab: tokenizer.size })) {
    const n = sizeOf(spec.shape)
    weights.push(all.slice(offset, offset + n))
    offset += n
  }
  if (offset !== all.length) throw fail(`weights.bin holds ${all.length} floats, the config needs ${offset}`)
  return { options, tokenizer, weights, hash }
}
