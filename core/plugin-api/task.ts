import type { PluginBase } from './common.js'

/** One problem of a task split. Plugins may put task-specific data (tests, entry point) in `data`. */
export interface Problem {
  /** Stable id, unique within the task (journal records are keyed by it). */
  id: string
  /** The text the model continues. */
  prompt: string
  /** The reference final answer, where the task has one (math). */
  answer?: string
  /** An expert solution (a completion of `prompt`), for SFT-style strategies. */
  expert?: string
  /** Difficulty level, where the task defines one. */
  level?: number
  /** Task-specific payload read by the task's verifier (tests, entry point, …). */
  data?: Record<string, unknown>
}

/** What a task hands the core once loaded. `train` may be empty for evaluation-only data. */
export interface TaskData {
  train: Problem[]
  test: Problem[]
  /** Extra text the tokenizer should cover (defaults to prompts + experts). */
  corpus?: string
  /** sha256 of each data file read, recorded in the manifest. */
  files?: Array<{ path: string; sha256: string }>
}

/** Handed to `task.load`. */
export interface TaskLoadContext {
  seed: number
  /** The user's `--data <path>`, resolved; required by dataset-backed tasks. */
  dataPath?: string
  signal?: AbortSignal
}

/** A task: splits of problems plus how to grade them. */
export interface TaskPlugin extends PluginBase<'task'> {
  kind: 'task'
  /**
   * Loads (or generates) the splits. Throws a BenchError naming the file and line on bad data. The
   * core checks the answer (problem shapes, unique ids per split) and stops with
   * BENCH_PLUGIN_CONTRACT when it is malformed.
   */
  load(ctx: TaskLoadContext): Promise<TaskData>
  /** Reference of the verifier that computes the environment reward R (e.g. 'math-answer'). */
  rewardVerifier: string
  /**
   * The selector verifier r that Best-of-N ranks by when the config names none (e.g. a learned
   * `reward-model`); absent: the reward verifier itself (an oracle).
   */
  selector?: string
  /** Generation defaults for this task's completions. */
  generation?: { maxTokens?: number; stop?: string[] }
  /** True when the task's licence forbids training on it (MultiPL-E). */
  evaluationOnly?: boolean
}
