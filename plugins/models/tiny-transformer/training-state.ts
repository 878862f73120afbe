import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { BenchError } from 'bonbench'
import type { ParamSpec } from './model-config.js'
import { sizeOf } from './model-config.js'

/** Written into training-state.json; bumped when the layout changes. */
export const TRAINING_STATE_FORMAT = 'bonbench-tiny-transformer-training/1'

/**
 * What a resumable checkpoint adds to the weights: the Adam state (step count, first and second
 * moments per parameter) and the frozen KL reference when one was taken. The dropout stream is
 * seeded by (engine seed, Adam step), so the step count restores it too.
 */
export interface TrainingState {
  step: number
  m: Float32Array[]
  v: Float32Array[]
  reference?: Float32Array[]
}

const BIN = 'training-state.bin'
const JSON_FILE = 'training-state.json'

/** Writes training-state.bin (m, v, then the reference, float32 in parameter order) and training-state.json beside a checkpoint. */
export async function writeTrainingState(dir: string, state: TrainingState): Promise<void> {
  const arrays = [...state.m, ...state.v, ...(state.reference ?? [])]
  const bytes = Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)))
  const meta = {
    format: TRAINING_STATE_FORMAT,
    step: state.step,
    reference: state.reference !== undefined,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  }
  await writeFile(path.join(dir, BIN), bytes)
  await writeFile(path.join(dir, JSON_FILE), JSON.stringify(meta, null, 2) + '\n')
}

/** Reads what `writeTrainingState` wrote for a model with these parameters; BENCH_DATA_INVALID when it is missing or altered. */
export async function readTrainingState(dir: string, specs: readonly ParamSpec[]): Promise<TrainingState> {
  const fail = (why: string, cause?: unknown) =>
    new BenchError('BENCH_DATA_INVALID', `bonbench:tiny-transformer: cannot resume training from ${dir}: ${why}`, { cause })
  let bytes: Buffer
  let meta: { format?: string; step?: number; reference?: boolean; sha256?: string }
  try {
    bytes = await readFile(path.join(dir, BIN))
    meta = JSON.parse(await readFile(path.join(dir, JSON_FILE), 'utf8'))
  } catch (error) {
    throw fail(`expected ${BIN} and ${JSON_FILE} written by saveResumable()`, error)
  }
  if (meta.format !== TRAINING_STATE_FORMAT) throw fail(`format ${meta.format}, expected ${TRAINING_STATE_FORMAT}`)
  if (createHash('sha256').update(bytes).digest('hex') !== meta.sha256) throw fail(`${BIN} does not match its recorded sha256`)
  if (!Number.isInteger(meta.step) || meta.step! < 0) throw fail(`step ${meta.step} is not a step count`)
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
  const sizes = specs.map((s) => sizeOf(s.shape))
  const perSet = sizes.reduce((a, b) => a + b, 0)
  const sets = meta.reference ? 3 : 2
  if (all.length !== perSet * sets) throw fail(`${BIN} holds ${all.length} floats, the model needs ${perSet * sets}`)
  let offset = 0
  const take = () =>
    sizes.map((n) => {
      const out = all.slice(offset, offset + n)
      offset += n
      return out
    })
  const m = take()
  const v = take()
  return meta.reference ? { step: meta.step!, m, v, reference: take() } : { step: meta.step!, m, v }
}
