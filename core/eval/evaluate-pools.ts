import { deriveSeed } from '../rng.js'
import type { ModelInstance } from '../plugin-api/model.js'
import type { PoolSample, PromptPool } from '../plugin-api/results.js'
import type { Problem } from '../plugin-api/task.js'
import { type Judges, scoreSamples } from './score-samples.js'
import { yieldToEventLoop } from '../run/yield-event-loop.js'
import { checkSampleResults } from '../plugin-api-checks/check-samples.js'
import { callHook, modelLabel } from '../run/hooks-in-flight.js'

/** What `evaluatePools` needs. */
export interface EvaluatePoolsOptions {
  model: ModelInstance
  /** The model plugin's name, for the BENCH_PLUGIN_CONTRACT error of a broken `sample()` answer. */
  modelName?: string
  problems: readonly Problem[]
  judges: Judges
  temperature: number
  /** The cell's seed; each prompt's pool is drawn with a seed derived from it and the prompt id. */
  seed: number
  poolSize: number
  generation: { maxTokens?: number; stop?: string[] }
  /** Pools already in the journal (resume): these prompts are not sampled again. */
  done: ReadonlyMap<string, PoolSample[]>
  /** Called once per new pool, in prompt order, before the next batch starts (journal it here). */
  onPool(pool: PromptPool): void
  onProgress?(done: number, total: number): void
  /** Prompts sampled per model call. */
  batchPrompts?: number
  signal?: AbortSignal
  /** Keep each completion's log-probability on its pool sample (`logProb`), for a selection rule that needs it (`rbon-kl`). */
  keepLogProb?: boolean
}

/**
 * Draws one pool of `poolSize` samples per test prompt, scores each with R and r, and returns the
 * pools in prompt order (journaled ones reused). Sampling seeds depend only on (seed, prompt id),
 * so a resumed run draws the same pools as an uninterrupted one. Every `sample()` and `score()`
 * answer is checked at the plugin boundary (core/plugin-api-checks): a broken one throws
 * BENCH_PLUGIN_CONTRACT before anything of that batch is journaled.
 */
export async function evaluatePools(opts: EvaluatePoolsOptions): Promise<PromptPool[]> {
  const pools = new Map<string, PoolSample[]>(opts.done)
  const todo = opts.problems.filter((p) => !pools.has(p.id))
  const batch = Math.max(1, opts.batchPrompts ?? 8)
  let finished = opts.problems.length - todo.length
  opts.onProgress?.(finished, opts.problems.length)
  for (let start = 0; start < todo.length; start += batch) {
    await yieldToEventLoop()
    if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted')
    const chunk = todo.slice(start, start + batch)
    const requests = chunk.map((problem) => ({
      promptId: problem.id,
      prompt: problem.prompt,
      n: opts.poolSize,
      temperature: opts.temperature,
      maxTokens: opts.generation.maxTokens,
      stop: opts.generation.stop,
      seed: deriveSeed(opts.seed, 'eval', problem.id),
    }))
    const results = checkSampleResults(
      opts.modelName ?? 'the model',
      requests,
      await callHook(modelLabel(opts.modelName), 'sample', () => opts.model.sample(requests, { signal: opts.signal })),
    )
    const items = chunk.flatMap((problem, i) => results[i]!.completions.map((c) => ({ problem, completion: c.text, recorded: c.recorded })))
    const judged = await scoreSamples(items, opts.judges)
    let offset = 0
    chunk.forEach((problem, i) => {
      const completions = results[i]!.completions
      const samples: PoolSample[] = completions.map((c, j) => {
        const s = judged[offset + j]!
        const sample: PoolSample = { text: c.text, reward: s.reward, score: s.score, reason: s.reason, tokens: c.tokens.length }
        if (s.answer !== undefined) sample.answer = s.answer
        if (opts.keepLogProb) sample.logProb = c.logProb
        return sample
      })
      offset += completions.length
      pools.set(problem.id, samples)
      opts.onPool({ promptId: problem.id, samples })
      finished++
    })
    opts.onProgress?.(finished, opts.problems.length)
  }
  return opts.problems.map((p) => ({ promptId: p.id, samples: pools.get(p.id)! }))
}
