import { threadId } from 'node:worker_threads'
import type { ModelDescription, ModelInstance, SampleRequest, SampleResult, TokenEvent, UpdateOptions, UpdateStats, WeightedSequence } from 'bonbench'
import { BenchError, deriveSeed } from 'bonbench'
import { writeCheckpoint } from './checkpoint.js'
import { Engine } from './engine.js'
import { writeTrainingState } from './training-state.js'
import type { OnRowText, RowRequest } from './generate.js'
import { acquirePool } from './sampler-pool.js'

/** The tiny-transformer's model instance: the contract plus a few extras for the trainer and tests. */
export interface TinyTransformerInstance extends ModelInstance {
  update(batch: WeightedSequence[], opts?: UpdateOptions): Promise<UpdateStats>
  logProb(pairs: Array<{ prompt: string; completion: string }>): Promise<number[]>
  clone(): Promise<TinyTransformerInstance>
  save(dir: string): Promise<{ hash: string }>
  /** `save` plus the Adam state and KL reference (training-state.ts), for the plugin's `loadResumable`. */
  saveResumable(dir: string): Promise<{ hash: string }>
  /** The checkpoint hash of the current weights (reads them from the device unless unchanged since it was last known). */
  contentHash(): Promise<string>
  /** Freezes the current weights as π_ref for the KL term (otherwise taken at the first update with klBeta > 0). */
  setReference(): Promise<void>
  /** Sampling workers in use (0: sampling runs on the calling thread). */
  readonly workers: number
  /** Thread ids of the sampling workers (starting them if needed); empty without workers. */
  workerThreadIds(): Promise<number[]>
  /** Thread ids that served the last sample call (the calling thread's id when in-process). */
  lastSampleThreadIds(): number[]
  /** Stops this instance's sampling, terminates the workers unless another instance still uses them, and frees the tensors; safe to call twice. */
  dispose(): Promise<void>
  /** The underlying engine (benchmarks and tests). */
  readonly engine: Engine
}

function fail(message: string): BenchError {
  return new BenchError('BENCH_RUN_INVALID', `bonbench:tiny-transformer: ${message}`)
}

/** Expands requests into one row per completion, seeded by (request seed, completion index). */
function toRows(requests: SampleRequest[]): RowRequest[] {
  const rows: RowRequest[] = []
  for (const r of requests) {
    if (!Number.isInteger(r.n) || r.n < 0) throw fail(`request ${r.promptId}: n must be a non-negative integer, got ${r.n}`)
    if (!(r.temperature >= 0)) throw fail(`request ${r.promptId}: temperature must be ≥ 0, got ${r.temperature}`)
    const topP = r.topP ?? 1
    if (!(topP > 0 && topP <= 1)) throw fail(`request ${r.promptId}: topP must be in (0, 1], got ${topP}`)
    for (let j = 0; j < r.n; j++) {
      rows.push({ prompt: r.prompt, seed: deriveSeed(r.seed, j), temperature: r.temperature, topP, maxTokens: r.maxTokens, stop: r.stop ?? [] })
    }
  }
  return rows
}

/** Turns row-indexed text (toRows' order) into the contract's token events. */
function tokenEvents(requests: SampleRequest[], onToken: (event: TokenEvent) => void): OnRowText {
  const owner: Array<[requestIndex: number, sampleIndex: number]> = []
  requests.forEach((r, requestIndex) => {
    for (let sampleIndex = 0; sampleIndex < r.n; sampleIndex++) owner.push([requestIndex, sampleIndex])
  })
  return (pieces) => {
    for (const [row, text] of pieces) {
      const [requestIndex, sampleIndex] = owner[row]!
      onToken({ requestIndex, sampleIndex, text })
    }
  }
}

/** Numbers the instances' engines: with the version, names their weights in a shared sampling pool. */
let engines = 0

/**
 * Wraps an engine as a ModelInstance. With `workers` ≥ 2 sampling goes to a pool of that many
 * worker threads (`onToken` events then come from the workers' messages, in process otherwise),
 * shared with the other instances whose workers would hold the same options, tokenizer, seed and
 * backend (its clones: sampler-pool.ts `acquirePool`); update, logProb and save always run on the
 * calling thread's engine, and a worker gets this engine's current weights with the next request
 * it takes from this instance whenever it holds other ones.
 */
export function createInstance(engine: Engine, opts: { workers: number; backend: string }): TinyTransformerInstance {
  const workers = opts.workers >= 2 ? opts.workers : 0
  const lease = workers
    ? acquirePool(workers, { options: engine.options, tokenizer: engine.tokenizer.toJSON(), seed: engine.seed, backend: engine.backend.name })
    : undefined
  const id = engines++
  /** Aborted by dispose: stops this instance's requests in the shared workers. */
  const closing = new AbortController()
  let lastThreads: number[] = []
  const disposed = () => closing.signal.aborted
  const alive = () => {
    if (disposed()) throw fail('the model was disposed')
  }
  /** One device read per weights version: the shared workers may ask again for the same version when instances alternate. */
  let read: { version: number; weights: Promise<Float32Array[]> } | undefined
  const readWeights = () => {
    if (read?.version !== engine.version) {
      const weights = engine.getWeights()
      read = { version: engine.version, weights }
      weights.catch(() => read?.weights === weights && (read = undefined)) // a failed read is not kept
    }
    return read.weights
  }

  const instance: TinyTransformerInstance = {
    engine,
    workers,
    async sample(requests, o) {
      alive()
      const rows = toRows(requests)
      const onText = o?.onToken && tokenEvents(requests, o.onToken)
      let completions
      if (lease && rows.length > 1) {
        const weights = { key: `${id}:${engine.version}`, read: readWeights }
        const signal = o?.signal ? AbortSignal.any([o.signal, closing.signal]) : closing.signal
        let threadIds
        ;({ completions, threadIds } = await lease.pool.sample(rows, weights, signal, onText))
        lastThreads = threadIds
      } else {
        completions = await engine.sample(rows, o?.signal, onText)
        lastThreads = [threadId]
      }
      let at = 0
      return requests.map((r): SampleResult => ({ promptId: r.promptId, completions: completions.slice(at, (at += r.n)) }))
    },
    async update(batch, o) {
      alive()
      if (o?.signal?.aborted) throw new BenchError('BENCH_ABORTED', 'bonbench:tiny-transformer: update was aborted')
      return engine.update(batch, o)
    },
    async logProb(pairs) {
      alive()
      return engine.logProb(pairs)
    },
    async clone() {
      alive()
      // The fine-tuning rule (core/plugin-api/model.ts): weights only. A new engine has zero Adam
      // moments, step count 0 (which also restarts the dropout stream) and no KL reference, so
      // the copy trains exactly as a model loaded from this one's checkpoint would.
      const hash = engine.knownHash // taken before the read starts, so both describe the same weights
      const copy = await Engine.create({
        options: engine.options,
        tokenizer: engine.tokenizer,
        weights: await engine.getWeights(),
        seed: engine.seed,
        backend: opts.backend,
        hash,
      })
      return createInstance(copy, opts)
    },
    async save(dir) {
      alive()
      return { hash: await writeCheckpoint(dir, await engine.files()) }
    },
    async saveResumable(dir) {
      alive()
      const [files, state] = await Promise.all([engine.files(), engine.trainingState()])
      const hash = await writeCheckpoint(dir, files)
      await writeTrainingState(dir, state)
      return { hash }
    },
    async setReference() {
      alive()
      engine.setReference()
    },
    async contentHash() {
      alive()
      return engine.hash()
    },
    describe(): ModelDescription {
      return {
        parameters: engine.parameters,
        backend: engine.backend.name,
        device: engine.backend.device,
        // Known without reading the device after create from a checkpoint, clone, save or
        // contentHash(); after an update only contentHash() (which reads the weights) has it.
        hash: disposed() ? undefined : engine.knownHash,
        workers,
        config: engine.cfg,
      }
    },
    workerThreadIds: async () => (lease ? lease.pool.threadIds() : []),
    lastSampleThreadIds: () => lastThreads,
    async dispose() {
      if (disposed()) return
      closing.abort()
      await lease?.release()
      engine.dispose()
    },
  }
  return instance
}
