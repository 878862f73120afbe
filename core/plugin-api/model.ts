import type { PluginBase } from './common.js'

/** One prompt to sample `n` completions for. */
export interface SampleRequest {
  promptId: string
  prompt: string
  n: number
  temperature: number
  topP?: number
  maxTokens?: number
  /** Generation stops at the first of these strings (the stop string is kept out of `text`). */
  stop?: string[]
  /** Seed for this request's random stream: the same seed gives the same completions. */
  seed: number
}

/** One sampled completion. */
export interface Completion {
  text: string
  tokens: number[]
  /** Σ log π(token) over the completion tokens, at the sampling temperature's base policy (T = 1). */
  logProb: number
  finishReason: 'stop' | 'length' | 'eos'
  /**
   * log π of each token of `tokens` (T = 1), in order, where the model gives them; their sum in
   * order is `logProb`. Optional: what an OpenAI-compatible server returns as `logprobs`.
   */
  tokenLogProbs?: number[]
  /**
   * With `finishReason` 'stop': the request's stop string that ended the text (the text leaves it
   * out, so nothing else tells which matched). Optional; `bench serve` reports it as vLLM's
   * `stop_reason`, and guesses from the text for a model that leaves it out.
   */
  stopString?: string
  /**
   * A judgement recorded with this completion, for a model that replays samples judged elsewhere
   * (the `replay` model serving a sample dump). The evaluator and the trainer use each field present
   * in place of the verifiers': `reward` for R, `score` for r, `answer` for majority vote; the
   * verifiers judge only what is missing (an oracle selector's r is then the recorded reward). A
   * model that generates leaves it out.
   */
  recorded?: RecordedJudgement
}

/** What a replayed sample's dump says of it: `reward` in [0, 1], `score` finite, `answer` text. */
export interface RecordedJudgement {
  reward?: number
  score?: number
  answer?: string
}

/** The completions for one request, in request order. */
export interface SampleResult {
  promptId: string
  completions: Completion[]
}

/**
 * Text one completion gained while it is being sampled: what `SampleOptions.onToken` receives.
 * For each completion, the `text` of its events concatenated in order equals its final
 * `Completion.text`, or is a prefix of it: a model may hold text back (a possible start of a stop
 * string) and leave the rest unsent; the caller takes what is missing from the result.
 */
export interface TokenEvent {
  /** Index of the request in the `requests` given to `sample`. */
  requestIndex: number
  /** Index of the completion in its request's `completions` (0 … n − 1). */
  sampleIndex: number
  /** The text this step adds, non-empty: usually one token's text; never text a later stop string removes. */
  text: string
}

/** Options of one `sample` call. */
export interface SampleOptions {
  signal?: AbortSignal
  /**
   * Called as completions are decoded, for incremental output (`bench serve` streams them as
   * server-sent events). Optional on both sides: a caller may leave it out, and a model that does
   * not support it ignores it (no events; the caller sends each completion whole once `sample`
   * resolves). Every event comes before `sample` resolves, and passing it must not change any
   * completion: the same requests give the same results with and without it. It must not throw;
   * an exception it throws may fail the `sample` call.
   */
  onToken?: (event: TokenEvent) => void
}

/** A (prompt, completion) pair with a stop-gradient weight: the strategy/model seam (DESIGN §2.2). */
export interface WeightedSequence {
  prompt: string
  completion: string
  weight: number
}

/** Options of one optimizer step. */
export interface UpdateOptions {
  learningRate?: number
  /**
   * The temperature T the batch's policy samples were drawn at (the cell's): the step is on
   * log π_T(y|x) = log softmax(logits/T), the policy that was sampled, so a strategy's weights are
   * the score-function estimator of the objective under π_T (DESIGN §2.2). Absent: 1 (pretraining).
   * The KL penalty stays between the T = 1 policies, the ones `logProb` scores.
   */
  temperature?: number
  /**
   * β of the optional β·KL(π‖π_ref) penalty to the frozen reference copy, averaged over the batch
   * (its prompts or its sequences), as the trainer averages the weights over the step's prompts.
   * With β > 0 the batch also holds sequences of weight 0: they add no log π term, only their KL.
   */
  klBeta?: number
  signal?: AbortSignal
}

/** What one optimizer step reports. */
export interface UpdateStats {
  loss: number
  gradNorm: number
  /** Response tokens trained on. */
  tokens: number
}

/**
 * Tokens and requests a model billed by the token spent (an API model): the request cache's answers
 * are counted in the tokens too (what the requests cost without the cache), and in `cachedRequests`.
 */
export interface ModelUsage {
  /** HTTP requests answered (by the server or from the request cache). */
  requests: number
  /** Of `requests`, those answered from the request cache (not paid again). */
  cachedRequests: number
  promptTokens: number
  completionTokens: number
}

/** A model ready to use. Trainable models implement the optional members. */
export interface ModelInstance {
  /**
   * Draws completions; batched over requests × n. Must honour `signal`. The core checks the answer
   * (one result per request, in order, `n` completions with string text) and stops the run with
   * BENCH_PLUGIN_CONTRACT when it is not. `opts.onToken`, when the model supports it, reports text
   * as it is decoded (see `SampleOptions`).
   */
  sample(requests: SampleRequest[], opts?: SampleOptions): Promise<SampleResult[]>
  /** One optimizer step on L = −Σ wᵢ log π(yᵢ|xᵢ) over response tokens only. */
  update?(batch: WeightedSequence[], opts?: UpdateOptions): Promise<UpdateStats>
  /** Σ log π(y|x) for each pair (T = 1). */
  logProb?(pairs: Array<{ prompt: string; completion: string }>): Promise<number[]>
  /**
   * An independent copy to fine-tune, called once per trained cell on the base model.
   * **The fine-tuning rule: every fine-tuning starts from a defined fresh optimizer state.** The
   * copy gets the weights (and tokenizer and config) only: its optimizer state is fresh (Adam
   * moments zero, step count 0 — and so any step-seeded randomness such as dropout restarts) and
   * it has no frozen KL reference (one is taken at its first update with `klBeta > 0`, i.e. from
   * the weights it started with). So a copy of a model that was just trained and a copy of the
   * same weights loaded from a checkpoint train bit-identically: a cache never changes a result
   * (DESIGN §3). The contract tester checks independence; bonbench's cache tests check the rule.
   */
  clone?(): Promise<ModelInstance>
  /**
   * Writes weights, tokenizer and config to `dir`; returns the checkpoint's content hash.
   * That is all a checkpoint needs to hold: by the fine-tuning rule (see `clone`) no optimizer
   * state, step count or RNG state is ever carried into training, so a loaded model behaves
   * exactly as the saved one for sampling, scoring and every fine-tuning started from it.
   * (Continuing an interrupted training is different: see `saveResumable`.)
   */
  save?(dir: string): Promise<{ hash: string }>
  /**
   * Writes a **resumable training checkpoint** into `dir`: what `save` writes plus everything the
   * next `update` depends on — optimizer state (e.g. Adam moments and step count), the frozen KL
   * reference when one was taken, and any stream position seeded by the step count (dropout) —
   * so that the plugin's `loadResumable(dir)` gives an instance whose further updates are
   * bit-identical to this one's. Returns the hash `save` would return (of the weights).
   * bonbench writes one every `train.checkpointEvery` and when a run is stopped, and a resumed run
   * continues training from it instead of replaying from step 0 (core/train/resume-point.ts).
   * Optional: without it (or without the plugin's `loadResumable`) a resumed cell replays its
   * training from step 0, which gives the same numbers, only slower.
   */
  saveResumable?(dir: string): Promise<{ hash: string }>
  /**
   * The checkpoint content hash of the current weights — what `save` would return — reading them
   * from the device when needed. For models whose weights live on an asynchronous device (a GPU),
   * where the synchronous `describe()` can report a hash only when it is already known. The core
   * asks for a model's hash through `modelHash` (this when present, else `describe().hash`).
   */
  contentHash?(): Promise<string>
  /**
   * The token usage since the last call (then reset to zero), for models that count it (API
   * models). The core takes it before and after each cell's evaluation and records it per cell.
   */
  takeUsage?(): ModelUsage
  /** Parameters, backend and device, for manifests and `bench env`. */
  describe(): ModelDescription
  /**
   * Frees tensors, workers. Safe to call twice. The core calls it exactly once for every instance
   * it creates (base model, each cell's clone or loaded checkpoint), on success, error and abort.
   */
  dispose?(): Promise<void> | void
}

export interface ModelDescription {
  parameters: number
  backend: string
  device: string
  /** Content hash of the current weights, when known without reading them (see `contentHash`). */
  hash?: string
  [key: string]: unknown
}

/** Handed to `model.create`. */
export interface ModelCreateContext {
  seed: number
  /** Text the tokenizer must cover (prompts, experts, corpus of the task). */
  corpus: string
  /** `--backend` (auto when not given). */
  backend?: string
  /** Worker threads this model may use, granted by the scheduler's budget. */
  concurrency: number
  /** The run's cache folder (`--cache-dir`), where a model may keep what a rerun should not redo (an API model's request cache). */
  cacheDir?: string
  signal?: AbortSignal
}

/** A model plugin: a factory of model instances. */
export interface ModelPlugin extends PluginBase<'model'> {
  kind: 'model'
  create(ctx: ModelCreateContext): Promise<ModelInstance>
  /** Defaults suited to this model, used where neither config, preset nor flags set them. */
  trainingDefaults?: { pretrainSteps?: number; pretrainLearningRate?: number; learningRate?: number }
  /**
   * Whether the TensorFlow.js backend (`--backend`, config `backend`) applies to this model: true
   * for a model that runs on one, false for one that does not (plain JavaScript), where the CLI
   * refuses `--backend` as a flag that does not apply. Absent: not declared; the flag is passed on.
   * True also makes the base model's cache key record the backend `auto` starts, not `auto`.
   */
  usesBackend?: boolean
  /**
   * Rough speeds on one core, for the time estimate (`bench run`, `--dry-run`, `bench eval`):
   * a sample costs `sampleSeconds` (its fixed overhead, optional: 0) plus its completion tokens
   * (and a tenth of its prompt tokens) at `sampleTokensPerSecond`, per core; an optimizer step costs `trainStepSeconds` (its fixed
   * overhead, optional: 0) plus its sequences' prompt+completion tokens ×2 at `trainTokensPerSecond`.
   * Once a run finished on the machine, the rates it measured replace these (the basis line says which).
   */
  throughput?: {
    sampleTokensPerSecond: number
    trainTokensPerSecond: number
    sampleSeconds?: number
    trainStepSeconds?: number
    /** Once per run that samples: starting sampling workers, compiling kernels for new shapes. */
    warmupSeconds?: number
  }
  /**
   * Restores a model written by `instance.save(dir)`: the same weights, tokenizer and config
   * (its `describe().hash` equals the saved hash), with the same runtime choices (seed, backend)
   * that `create` would make from this plugin's options and `ctx`. What a checkpoint does not
   * hold is reset by the fine-tuning rule (see `ModelInstance.clone`).
   */
  load?(dir: string, ctx: Omit<ModelCreateContext, 'corpus'>): Promise<ModelInstance>
  /**
   * Restores a model written by `instance.saveResumable(dir)` with its training state, so that
   * training continues exactly where the saved instance stood: the same weights and `describe()`
   * hash as `load`, and its next `update` calls give the numbers the saved instance's would have.
   * `clone()` of the result still follows the fine-tuning rule (fresh optimizer state).
   */
  loadResumable?(dir: string, ctx: Omit<ModelCreateContext, 'corpus'>): Promise<ModelInstance>
}
