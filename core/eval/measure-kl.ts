import { deriveSeed } from '../rng.js'
import type { KlEstimate } from '../plugin-api/divergence.js'
import type { ModelInstance } from '../plugin-api/model.js'
import type { PromptPool } from '../plugin-api/results.js'
import type { Problem } from '../plugin-api/task.js'
import { checkSampleResults } from '../plugin-api-checks/check-samples.js'
import { yieldToEventLoop } from '../run/yield-event-loop.js'
import { type KlSample, klEstimate } from './kl-estimate.js'
import { callHook, modelLabel } from '../run/hooks-in-flight.js'

/** What {@link measureKl} needs. */
export interface MeasureKlOptions {
  /** The policy π being measured. */
  model: ModelInstance
  /** The run's base model π_base (the same object for the base cell: its KL is exactly 0). */
  reference: ModelInstance
  modelName?: string
  problems: readonly Problem[]
  /** The cell's evaluation pools, in `problems` order: reused as π's samples when `temperature` is 1. */
  pools?: readonly PromptPool[]
  /** The cell's sampling temperature. */
  temperature: number
  /** The cell's seed: a separate draw at T = 1 is seeded from (seed, 'kl', prompt id), apart from every other stream. */
  seed: number
  /** Samples per prompt of a separate draw (the pool size). */
  samples: number
  generation: { maxTokens?: number; stop?: string[] }
  bootstrap: number
  /** Seed of the bootstrap over prompts. */
  bootstrapSeed: number
  signal?: AbortSignal
}

/** A KL estimate and what drawing its samples cost (0 when it reused the pools). */
export interface MeasuredKl {
  kl: KlEstimate
  samplesDrawn: number
  tokensGenerated: number
}

/**
 * KL(π‖π_base) per token on the test prompts (estimator: {@link klEstimate}). The samples must
 * come from π itself at T = 1 — the policy that `logProb` scores — so a cell evaluated at T = 1
 * reuses its evaluation pools, and a cell at another temperature draws `samples` completions per
 * prompt at T = 1 with seeds of their own (they never touch the pools' or training's streams).
 * Both log-probabilities come from `logProb` (never the sampler's own sum), so π = π_base gives
 * exactly 0. A model without `logProb` (policy or base) gives an absent estimate with the reason.
 */
export async function measureKl(opts: MeasureKlOptions): Promise<MeasuredKl> {
  const { model, reference } = opts
  const name = opts.modelName ?? 'the model'
  if (!model.logProb || !reference.logProb) {
    return { kl: { state: 'absent', reason: `model '${name}' cannot score log-probabilities (it has no logProb())` }, samplesDrawn: 0, tokensGenerated: 0 }
  }
  const drawn = { samplesDrawn: 0, tokensGenerated: 0 }
  let texts: Array<Array<{ text: string; tokens: number }>>
  let source: 'pool' | 'draw'
  if (opts.temperature === 1 && opts.pools && opts.pools.length === opts.problems.length) {
    source = 'pool'
    texts = opts.pools.map((p) => p.samples.map((s) => ({ text: s.text, tokens: s.tokens })))
  } else {
    source = 'draw'
    texts = []
    const batch = 8
    for (let start = 0; start < opts.problems.length; start += batch) {
      await yieldToEventLoop()
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted')
      const chunk = opts.problems.slice(start, start + batch)
      const requests = chunk.map((problem) => ({
        promptId: problem.id,
        prompt: problem.prompt,
        n: opts.samples,
        temperature: 1,
        maxTokens: opts.generation.maxTokens,
        stop: opts.generation.stop,
        seed: deriveSeed(opts.seed, 'kl', problem.id),
      }))
      const results = checkSampleResults(
        name,
        requests,
        await callHook(modelLabel(opts.modelName), 'sample', () => model.sample(requests, { signal: opts.signal })),
      )
      for (const r of results) {
        texts.push(r.completions.map((c) => ({ text: c.text, tokens: c.tokens.length })))
        drawn.samplesDrawn += r.completions.length
        for (const c of r.completions) drawn.tokensGenerated += c.tokens.length
      }
    }
  }
  const pairs = opts.problems.flatMap((problem, i) => texts[i]!.map((s) => ({ prompt: problem.prompt, completion: s.text })))
  await yieldToEventLoop()
  const policy = await model.logProb(pairs)
  const base = reference === model ? policy : await reference.logProb(pairs)
  let offset = 0
  const byPrompt = opts.problems.map((problem, i) => {
    const samples: KlSample[] = texts[i]!.map((s, j) => ({ policyLogProb: policy[offset + j]!, baseLogProb: base[offset + j]!, tokens: s.tokens }))
    offset += samples.length
    return { promptId: problem.id, samples }
  })
  return { kl: klEstimate(byPrompt, { bootstrap: opts.bootstrap, seed: opts.bootstrapSeed, source }), ...drawn }
}
