import type { PluginBase, Rng } from './common.js'
import type { ModelInstance } from './model.js'
import type { Problem, TaskData } from './task.js'

/** One candidate to verify. */
export interface VerifyItem {
  problem: Problem
  completion: string
}

/** Why a verdict is what it is. Code verifiers use the specific reasons; others use passed/failed. */
export type VerdictReason = 'passed' | 'failed' | 'assertion' | 'timeout' | 'memory' | 'syntax' | 'runtime' | 'no-answer' | 'error' | (string & {})

/** A verifier's judgement of one candidate (DESIGN §3). */
export interface Verdict {
  /** What Best-of-N ranks by (higher is better). */
  score: number
  /** The environment reward, where this verifier is the task's ground truth (0/1 or in [0,1]). */
  reward?: number
  pass?: boolean
  reason: VerdictReason
  /** The extracted final answer (for majority vote), where the verifier extracts one. */
  answer?: string
  messageId?: string
  /** Short diagnostic text (captured output, error message), capped. */
  detail?: string
}

/** Handed to `verifier.score`. */
export interface VerifyContext {
  signal?: AbortSignal
  /** Parallel slots this call may use, granted by the scheduler's budget. */
  concurrency: number
}

/** Handed to `verifier.prepare`: learned verifiers train here (e.g. the reward model). */
export interface VerifierPrepareContext {
  task: TaskData
  /** The base policy, to draw training samples from. */
  model: ModelInstance
  /** The environment reward verifier, to label samples. */
  reward: VerifierPlugin
  seed: number
  rng: Rng
  /** A folder for content-hash caches. */
  cacheDir: string
  /** The temperature to draw training samples at: always 1 (the base policy), whatever the run's temperatures. */
  temperature: number
  generation: { maxTokens?: number; stop?: string[] }
  log(message: string): void
  signal?: AbortSignal
}

/** A verifier plugin. */
export interface VerifierPlugin extends PluginBase<'verifier'> {
  kind: 'verifier'
  /**
   * Scores a batch; returns one verdict per item, in order. Never throws for a bad candidate. The
   * core checks the answer (count, finite score, string reason, reward in [0, 1]) and stops the run
   * with BENCH_PLUGIN_CONTRACT when it is malformed.
   */
  score(batch: VerifyItem[], ctx: VerifyContext): Promise<Verdict[]>
  /**
   * Optional one-time preparation before a run uses the verifier; returns facts to record (e.g.
   * AUC), journaled once per run. `bench rerun` compares them with the rerun's, all but `prepareMs`
   * (a wall time), so facts that say what was prepared should reproduce bit for bit, and a fact
   * that need not (whether a cache answered) is better left out. A `backend` fact (the TensorFlow.js
   * backend it trained on) is compared by `bench run --resume` too: another refuses the resume.
   */
  prepare?(ctx: VerifierPrepareContext): Promise<Record<string, unknown> | void>
  /**
   * What `prepare` draws from the base model for a task with `trainPrompts` train problems, when
   * it is not cached: read by the time estimate (`bench run --dry-run`, the run's banner) only.
   */
  prepareNeeds?(ctx: { trainPrompts: number }): { samples: number }
  /** Frees isolate pools, child processes, tensors; see PluginBase.dispose (common.ts). */
  dispose?(): Promise<void> | void
}
