import { BenchError } from '../errors.js'
import { createRng, deriveSeed } from '../rng.js'
import type { ModelInstance, WeightedSequence } from '../plugin-api/model.js'
import type { TrainStepLog } from '../plugin-api/results.js'
import type { ScoredGroup, StrategyPlugin } from '../plugin-api/strategy.js'
import type { Problem } from '../plugin-api/task.js'
import { type JudgedSample, type Judges, scoreSamples } from '../eval/score-samples.js'
import { yieldToEventLoop } from '../run/yield-event-loop.js'
import { type ResumeCadence, ResumeClock } from './resume-point.js'
import { checkSampleResults } from '../plugin-api-checks/check-samples.js'
import { checkStrategyOutput, strategyNeeds } from '../plugin-api-checks/check-weights.js'
import { checkUpdateStats } from '../plugin-api-checks/check-update.js'
import { callHook, callHookSync, modelLabel } from '../run/hooks-in-flight.js'

/** What the generic trainer loop needs for one cell. */
export interface TrainCellOptions {
  cellId: string
  /** The policy being trained (a clone of the base; must implement `update`). */
  model: ModelInstance
  /** The model plugin's name, for the BENCH_PLUGIN_CONTRACT error of a broken `sample()` answer. */
  modelName?: string
  /** The frozen base policy, for strategies that ask for reference samples. */
  reference: ModelInstance
  strategy: StrategyPlugin
  nTrain: number
  /** λ_N′ from the configured rule. */
  lambda: number
  temperature: number
  seed: number
  problems: readonly Problem[]
  judges: Judges
  steps: number
  batchPrompts: number
  /** Undefined: the model's own default. */
  learningRate?: number
  generation: { maxTokens?: number; stop?: string[] }
  /**
   * First step to run (> 0 when resuming from a resume point: `model` then holds the weights and
   * optimizer state after `startStep` steps, and `startCompute` what those steps spent).
   */
  startStep?: number
  startCompute?: TrainCompute
  /**
   * Resume points (core/train/resume-point.ts): `save` is called after a step when `cadence` says
   * one is due, and once more when training stops on the abort signal (or fails) after steps
   * that no point holds yet — never while an update is in flight. It must not change the weights.
   */
  resume?: { cadence?: ResumeCadence; save(step: number, compute: TrainCompute): Promise<void> }
  /** Called after each step, in order (journal the log here). */
  onStep(log: TrainStepLog): void | Promise<void>
  /**
   * Called after `onStep` when the model has taken a multiple of `evalEvery` steps, strictly
   * fewer than `steps` (core/run/checkpoint-evals.ts). Training waits for it; it must not draw from
   * the training stream (it gets none) or change the weights.
   */
  onCheckpointEval?(step: number): Promise<void>
  evalEvery?: number
  signal?: AbortSignal
}

/** Counters of what training spent. */
export interface TrainCompute {
  samplesDrawn: number
  tokensGenerated: number
  tokensTrained: number
}

/**
 * The generic trainer loop (DESIGN §2.2): per step, pick prompts; gather the group the strategy
 * declares (policy samples, reference samples, expert); score with R and r; ask the strategy for
 * weights; take one `model.update` step. Every random choice derives from (seed, cell, step), so a
 * run resumed at a step boundary (a resume point: weights and optimizer state after that step)
 * continues exactly as an uninterrupted one would. Resuming at a checkpoint-evaluation step whose
 * evaluation was cut short evaluates it first (`onCheckpointEval` skips those already journaled).
 * Weights are divided by the number of prompts in the step, so a step is a mean over prompts.
 * Every plugin answer (`sample()`, `score()`, `weights()`) is checked at the boundary: a broken
 * one throws BENCH_PLUGIN_CONTRACT (core/plugin-api-checks) before the step's update. Each hook is
 * called through core/run/hooks-in-flight.ts, so an error one throws fails the cell naming the
 * plugin and the hook (`strategy plugin '<name>' weights() threw: …`, as for `score()`).
 */
export async function trainCell(opts: TrainCellOptions): Promise<TrainCompute> {
  const { model, strategy } = opts
  if (!model.update) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `The model cannot be trained (it has no update()), but strategy '${strategy.name}' needs training. Use a trainable model such as tiny-transformer or tabular.`,
    )
  }
  const needs = strategyNeeds(strategy, opts.nTrain)
  const klBeta = needs.klBeta ?? 0
  if (needs.expert && opts.problems.some((p) => p.expert === undefined)) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `Strategy '${strategy.name}' needs expert solutions, but the task's training problems have none. Pick a strategy that learns from samples (rl, bon-rl, …).`,
    )
  }
  if (opts.problems.length === 0) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `Strategy '${strategy.name}' needs training problems, but the task's train split is empty (an evaluation-only task?).`,
    )
  }
  const compute: TrainCompute = { ...(opts.startCompute ?? { samplesDrawn: 0, tokensGenerated: 0, tokensTrained: 0 }) }
  const start = opts.startStep ?? 0
  // What the last finished step left: its step count and compute (a step cut short spent more).
  let completed = start
  let completedCompute = { ...compute }
  let updating = false
  const clock = opts.resume ? new ResumeClock(opts.resume.cadence ?? {}, start) : undefined
  const savePoint = async (taken: number) => {
    await opts.resume!.save(taken, { ...completedCompute })
    clock!.mark(taken)
  }
  const evalDue = (taken: number) => Boolean(opts.onCheckpointEval && opts.evalEvery && taken % opts.evalEvery === 0 && taken < opts.steps)
  try {
    if (start > 0 && evalDue(start)) await opts.onCheckpointEval!(start)
    await trainSteps()
  } catch (error) {
    // Stopped or failed between steps: keep the steps taken since the last resume point.
    if (clock && !updating && completed > clock.saved && completed < opts.steps) {
      try {
        await savePoint(completed)
      } catch {
        // The run stops on the first error either way; a resume then replays from the last point.
      }
    }
    throw error
  }
  return compute

  async function trainSteps(): Promise<void> {
    // An expert solution never changes, nor does its verdict: score each once per cell.
    const expertVerdicts = new Map<string, JudgedSample>()
    for (let step = start; step < opts.steps; step++) {
      await yieldToEventLoop()
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted')
      const rng = createRng(deriveSeed(opts.seed, opts.cellId, 'step', step))
      const batch = pickPrompts(opts.problems, opts.batchPrompts, rng)
      const policy = await drawScored(model, batch, needs.policySamples, opts, step, 'policy', compute)
      const reference = needs.referenceSamples ? await drawScored(opts.reference, batch, needs.referenceSamples, opts, step, 'reference', compute) : undefined
      // The expert is scored like a policy sample (bon-sft needs r(y_expert) for its win counts).
      if (needs.expert) {
        const missing = [...new Map(batch.filter((p) => !expertVerdicts.has(p.id)).map((p) => [p.id, p])).values()]
        const scored = await scoreSamples(
          missing.map((problem) => ({ problem, completion: problem.expert! })),
          opts.judges,
        )
        missing.forEach((p, i) => expertVerdicts.set(p.id, scored[i]!))
      }
      const expertScored = needs.expert ? batch.map((p) => expertVerdicts.get(p.id)!) : undefined
      const sequences: WeightedSequence[] = []
      const stats: Record<string, number> = {}
      batch.forEach((problem, i) => {
        const group: ScoredGroup = { problem, policy: policy[i] ?? [] }
        if (reference) group.reference = reference[i]
        if (needs.expert) {
          group.expert = problem.expert
          group.expertScored = expertScored![i]
        }
        // Through callHookSync: an error it throws fails the cell as `strategy plugin '<name>' weights() threw: …`.
        const raw = callHookSync(strategy, 'weights', () =>
          strategy.weights(group, {
            nTrain: opts.nTrain,
            lambda: opts.lambda,
            rng: createRng(deriveSeed(opts.seed, opts.cellId, 'weights', step, problem.id)),
          }),
        )
        const out = checkStrategyOutput(strategy, group, raw, step)
        // A sequence of weight 0 adds nothing to −Σ wᵢ log π(yᵢ), but with a KL penalty it still
        // carries its prompt's β·KL(π‖π_ref) term (DESIGN §2.2): kept then, else the penalty would
        // skip the prompts whose weights are all 0 (an all-correct or all-wrong group for vbon).
        for (const seq of out.sequences) {
          if (seq.weight !== 0 || klBeta > 0) sequences.push({ ...seq, weight: seq.weight / batch.length })
        }
        for (const [name, value] of Object.entries(out.stats ?? {})) stats[name] = (stats[name] ?? 0) + value
      })
      // Stopped before this step's update: the weights are still those after `completed` steps.
      if (opts.signal?.aborted) throw opts.signal.reason ?? new Error('aborted')
      updating = true
      const update =
        sequences.length > 0
          ? checkUpdateStats(
              opts.modelName ?? 'the model',
              await callHook(modelLabel(opts.modelName), 'update', () =>
                model.update!(sequences, { learningRate: opts.learningRate, temperature: opts.temperature, klBeta: needs.klBeta, signal: opts.signal }),
              ),
              {
                training: `cell '${opts.cellId}'`,
                step,
                learningRate: opts.learningRate,
                rateSetting: `--lr, train.learningRate or train.learningRates['${strategy.name}']`,
              },
            )
          : { loss: 0, gradNorm: 0, tokens: 0 }
      updating = false
      compute.tokensTrained += update.tokens
      const all = policy.flat()
      const log: TrainStepLog = { step, loss: update.loss, gradNorm: update.gradNorm, lambda: opts.lambda }
      if (all.length > 0) {
        log.reward = mean(all.map((s) => s.reward))
        log.verifierScore = mean(all.map((s) => s.score))
      }
      if (stats.weighted) log.clipRate = (stats.clipped ?? 0) / stats.weighted
      await opts.onStep(log)
      const taken = step + 1
      completed = taken
      completedCompute = { ...compute }
      if (clock?.due(taken) && taken < opts.steps) await savePoint(taken)
      if (evalDue(taken)) await opts.onCheckpointEval!(taken)
    }
  }
}

async function drawScored(model: ModelInstance, batch: Problem[], n: number, opts: TrainCellOptions, step: number, role: string, compute: TrainCompute) {
  if (n <= 0) return []
  const requests = batch.map((problem) => ({
    promptId: problem.id,
    prompt: problem.prompt,
    n,
    temperature: opts.temperature,
    maxTokens: opts.generation.maxTokens,
    stop: opts.generation.stop,
    seed: deriveSeed(opts.seed, opts.cellId, role, step, problem.id),
  }))
  const results = checkSampleResults(
    opts.modelName ?? 'the model',
    requests,
    await callHook(modelLabel(opts.modelName), 'sample', () => model.sample(requests, { signal: opts.signal })),
  )
  const items = batch.flatMap((problem, i) => results[i]!.completions.map((c) => ({ problem, completion: c.text, recorded: c.recorded })))
  for (const r of results) for (const c of r.completions) compute.tokensGenerated += c.tokens.length
  compute.samplesDrawn += items.length
  const judged = await scoreSamples(items, opts.judges)
  return batch.map((_, i) => judged.slice(i * n, (i + 1) * n))
}

/** Picks `count` distinct problems (all of them when fewer), seeded. */
function pickPrompts(problems: readonly Problem[], count: number, rng: { int(n: number): number }): Problem[] {
  const pool = [...problems]
  const take = Math.min(count, pool.length)
  for (let i = 0; i < take; i++) {
    const j = i + rng.int(pool.length - i)
    ;[pool[i], pool[j]] = [pool[j]!, pool[i]!]
  }
  return pool.slice(0, take)
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length
}
