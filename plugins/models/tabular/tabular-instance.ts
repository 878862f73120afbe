import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelDescription, ModelInstance, SampleRequest, SampleResult, UpdateOptions, UpdateStats, WeightedSequence } from 'bonbench'
import { BenchError, createRng } from 'bonbench'
import { CHECKPOINT_FILE, hashText, serializeTable } from './checkpoint.js'
import { klDivergence, klGradient, logSoftmaxAt, sampleCategorical, softmax } from './softmax-policy.js'
import type { TableEntry, TabularTable } from './tabular-table.js'

/** The optimizer settings of a tabular instance. */
export interface TabularOptimizer {
  kind: 'sgd' | 'adam'
  /** Step size used when `update` is given no learning rate. */
  learningRate: number
}

/** A tabular model instance: the ModelInstance contract plus direct access to π for tests. */
export interface TabularInstance extends ModelInstance {
  update(batch: WeightedSequence[], opts?: UpdateOptions): Promise<UpdateStats>
  logProb(pairs: Array<{ prompt: string; completion: string }>): Promise<number[]>
  clone(): Promise<TabularInstance>
  save(dir: string): Promise<{ hash: string }>
  /** The same checkpoint as `save`: it holds the whole training state already. */
  saveResumable(dir: string): Promise<{ hash: string }>
  /** The answer set of `prompt` (created on first sight), in logit order. */
  answers(prompt: string): string[]
  /** π(·|prompt) = softmax(θ[prompt] / T), aligned with `answers(prompt)`. */
  policy(prompt: string, temperature?: number): number[]
  /** A copy of θ[prompt]. */
  logits(prompt: string): number[]
  /** Overwrites θ[prompt] (tests and demos set an exact policy this way); resets Adam state. */
  setLogits(prompt: string, logits: readonly number[]): void
}

const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 }

/**
 * Wraps a logit table as a model instance. Sampling draws answer indices from
 * softmax(θ/T) with a stream seeded by the request's seed (same seed → same completions); a
 * completion is the answer text, one token (its index), with logProb = log π(y|x) at T = 1.
 * `update` takes one exact-gradient step on L = −Σ wᵢ log π_T(yᵢ|xᵢ) + β·(1/|X|)·Σ_{x∈X} KL(π_x‖π_ref,x),
 * π_T = softmax(θ/T) at the update's `temperature` (the one the samples were drawn at; 1 if absent),
 * X the distinct prompts of the batch (a sequence of weight 0 still brings its prompt): the KL
 * averaged over the prompts, as the trainer averages the weights (the tiny-transformer's is
 * averaged over the sequences), by plain SGD (default) or Adam.
 */
export function createTabularInstance(table: TabularTable, optimizer: TabularOptimizer): TabularInstance {
  const instance: TabularInstance = {
    async sample(requests: SampleRequest[], opts?: { signal?: AbortSignal }): Promise<SampleResult[]> {
      return requests.map((request) => {
        checkAborted(opts?.signal)
        const entry = table.entry(request.prompt)
        const probs = softmax(entry.logits, request.temperature)
        const logProbs = softmax(entry.logits).map(Math.log)
        const rng = createRng(request.seed)
        const completions = []
        for (let i = 0; i < request.n; i++) {
          const k = sampleCategorical(probs, rng.next())
          completions.push({ text: entry.answers[k]!, tokens: [k], logProb: logProbs[k]!, finishReason: 'stop' as const })
        }
        return { promptId: request.promptId, completions }
      })
    },

    async update(batch: WeightedSequence[], opts: UpdateOptions = {}): Promise<UpdateStats> {
      checkAborted(opts.signal)
      const lr = opts.learningRate ?? optimizer.learningRate
      const T = opts.temperature ?? 1
      if (!(T > 0 && Number.isFinite(T))) throw new BenchError('BENCH_USAGE', `bonbench:tabular: update needs a temperature > 0, got ${T}.`)
      const beta = opts.klBeta ?? 0
      const grads = new Map<TableEntry, number[]>()
      let loss = 0
      for (const seq of batch) {
        const entry = table.entry(seq.prompt)
        const k = answerIndex(entry, seq.completion)
        let grad = grads.get(entry)
        if (!grad) {
          grad = new Array<number>(entry.logits.length).fill(0)
          grads.set(entry, grad)
        }
        // ∂(−w log π_T(y))/∂θ = −w (e_y − π_T)/T = w (π_T − e_y)/T (at T = 1 exactly the T = 1 step)
        const probs = softmax(entry.logits, T)
        for (let j = 0; j < grad.length; j++) grad[j]! += (seq.weight * (probs[j]! - (j === k ? 1 : 0))) / T
        loss -= seq.weight * logSoftmaxAt(entry.logits, k, T)
      }
      if (beta !== 0) {
        const perPrompt = beta / grads.size
        for (const [entry, grad] of grads) {
          const kl = klGradient(entry.logits, entry.ref)
          for (let j = 0; j < grad.length; j++) grad[j]! += perPrompt * kl[j]!
          loss += perPrompt * klDivergence(entry.logits, entry.ref)
        }
      }
      let sumSq = 0
      for (const grad of grads.values()) for (const g of grad) sumSq += g * g
      for (const [entry, grad] of grads) step(entry, grad, lr, optimizer.kind)
      return { loss, gradNorm: Math.sqrt(sumSq), tokens: batch.length }
    },

    async logProb(pairs) {
      return pairs.map(({ prompt, completion }) => {
        const entry = table.entry(prompt)
        const k = entry.index.get(completion.trim())
        return k === undefined ? -Infinity : logSoftmaxAt(entry.logits, k)
      })
    },

    async clone() {
      return createTabularInstance(table.copy(), optimizer)
    },

    async save(dir: string) {
      const text = serializeTable(table, optimizer.kind)
      await mkdir(dir, { recursive: true })
      await writeFile(join(dir, CHECKPOINT_FILE), text)
      return { hash: hashText(text) }
    },

    saveResumable: (dir: string) => instance.save(dir),

    describe(): ModelDescription {
      return {
        parameters: table.parameters,
        backend: 'js',
        device: 'cpu',
        hash: hashText(serializeTable(table, optimizer.kind)),
        prompts: table.storedPrompts().length,
        optimizer: optimizer.kind,
      }
    },

    dispose() {},

    answers: (prompt) => [...table.entry(prompt).answers],
    policy: (prompt, temperature = 1) => softmax(table.entry(prompt).logits, temperature),
    logits: (prompt) => [...table.entry(prompt).logits],
    setLogits(prompt, logits) {
      const entry = table.entry(prompt)
      if (logits.length !== entry.logits.length || logits.some((l) => !Number.isFinite(l))) {
        throw new BenchError('BENCH_USAGE', `bonbench:tabular: setLogits needs ${entry.logits.length} finite logits for this prompt, got ${logits.length}.`)
      }
      entry.logits = [...logits]
      delete entry.adam
    },
  }
  return instance
}

function answerIndex(entry: TableEntry, completion: string): number {
  const k = entry.index.get(completion.trim())
  if (k === undefined) {
    throw new BenchError(
      'BENCH_USAGE',
      `bonbench:tabular: cannot train on '${completion.slice(0, 40)}': it is not one of the prompt's answers (${entry.answers.join(', ')}). A tabular model only learns completions from its answer set; check the task's expert solutions.`,
    )
  }
  return k
}

function step(entry: TableEntry, grad: number[], lr: number, kind: 'sgd' | 'adam'): void {
  if (kind === 'sgd') {
    for (let j = 0; j < grad.length; j++) entry.logits[j]! -= lr * grad[j]!
    return
  }
  const adam = (entry.adam ??= { m: grad.map(() => 0), v: grad.map(() => 0), t: 0 })
  adam.t += 1
  const c1 = 1 - ADAM.beta1 ** adam.t
  const c2 = 1 - ADAM.beta2 ** adam.t
  for (let j = 0; j < grad.length; j++) {
    adam.m[j] = ADAM.beta1 * adam.m[j]! + (1 - ADAM.beta1) * grad[j]!
    adam.v[j] = ADAM.beta2 * adam.v[j]! + (1 - ADAM.beta2) * grad[j]! ** 2
    entry.logits[j]! -= (lr * (adam.m[j]! / c1)) / (Math.sqrt(adam.v[j]! / c2) + ADAM.eps)
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new BenchError('BENCH_ABORTED', 'bonbench:tabular: the call was aborted.')
}
