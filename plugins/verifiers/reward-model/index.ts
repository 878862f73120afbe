import type { Problem, Verdict, VerifierPrepareContext } from 'bonbench'
import { BenchError, modelHash, defineVerifier, createRng, deriveSeed } from 'bonbench'
import { aucBootstrapCi, exactAuc } from './auc.js'
import { contentHash, readCachedModel, writeCachedModel } from './cache.js'
import { collectLabelledSamples } from './collect.js'
import { extractFeatures } from './features.js'
import { rewardModelOptionsSchema, type RewardModelOptions } from './options.js'
import { applyStrength } from './presets.js'
import type { ScorerNet } from './scorer-net.js'

export type { RewardModelOptions } from './options.js'
export { aucBootstrapCi, exactAuc } from './auc.js'
export { strengthPresets } from './presets.js'

const NAME = 'bonbench:reward-model'
const VERSION = '0.2.0'
/** Scores stay strictly inside (0, 1) even where float32 sigmoid saturates. */
const EPS = 1e-6
/** Bootstrap replicates of the held-out AUC's interval. */
const AUC_CI_RESAMPLES = 1000

/** `0.734 [95% CI 0.690, 0.776]` (the interval when known), or `n/a`. */
function formatAuc(facts: Partial<Pick<RewardModelFacts, 'auc' | 'aucCi'>>): string {
  if (typeof facts.auc !== 'number') return 'n/a'
  const ci = Array.isArray(facts.aucCi) ? ` [95% CI ${facts.aucCi[0].toFixed(3)}, ${facts.aucCi[1].toFixed(3)}]` : ''
  return `${facts.auc.toFixed(3)}${ci}`
}

/** What prepare returns (recorded in the run manifest). */
export interface RewardModelFacts {
  [key: string]: unknown
  /** Held-out AUC of r against the environment reward (null when a class is missing there). */
  auc: number | null
  /**
   * 95% percentile-bootstrap interval of the held-out AUC, resampling held-out prompts (each with
   * all its samples: the cluster bootstrap, see auc.ts; AUC_CI_RESAMPLES replicates, seeded); null
   * when `auc` is.
   */
  aucCi: [number, number] | null
  trainAuc: number | null
  trainSize: number
  heldOutSize: number
  /** Correct samples among all collected (train + held out). */
  positives: number
  heldOutPositives: number
  prompts: number
  /**
   * Content hash keying the cache: whatever the trained model depends on (the whole train problems,
   * base checkpoint, options, seed, temperature, generation limits, reward verifier's name, version
   * and options, TensorFlow.js backend and version).
   */
  hash: string
  /**
   * The backend it trained (or loaded) on, as bonbench's catalog names it (`tensorflow-gpu`, not
   * tfjs's `tensorflow`; `webgpu-null` on Dawn's null device): what the hash holds.
   */
  backend: string
  prepareMs: number
}

function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const rng = createRng(seed)
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/**
 * The learned verifier r (DESIGN §2): a small TensorFlow.js scorer of (prompt, response) →
 * P(correct), trained in `prepare` on the base policy's samples of the task's train problems,
 * labelled by the environment reward, and cached by content hash. Its verdicts carry a score and
 * no reward (r is not the truth); its imperfection is what makes Bo-N differ from pass@N.
 * The factory validates options (BENCH_PLUGIN_OPTIONS); `score` before `prepare` throws BENCH_USAGE.
 */
const rewardModelFactory = defineVerifier({
  name: NAME,
  meta: { version: VERSION, description: 'Learned verifier: a small TensorFlow.js scorer of P(correct) trained on base-model samples' },
  options: rewardModelOptionsSchema,
  create(opts) {
    let net: ScorerNet | undefined

    function replaceNet(next: ScorerNet): void {
      net?.dispose()
      net = next
    }

    async function prepare(ctx: VerifierPrepareContext): Promise<RewardModelFacts> {
      const started = performance.now()
      // TensorFlow.js loads here, on first use, not with the plugin: `bench list` and runs that
      // never prepare this verifier start without it.
      const [{ ensureTfBackend, tf }, { createScorerNet }] = await Promise.all([import('./tf-backend.js'), import('./scorer-net.js')])
      const backend = await ensureTfBackend()
      const train: Problem[] = ctx.task.train
      if (train.length < 2) {
        throw new BenchError(
          'BENCH_DATA_INVALID',
          `${NAME}: the task has ${train.length} train problem(s); the reward model needs at least 2 (it trains on train prompts and holds some out). Use a task with a train split or a different verifier.`,
        )
      }
      const baseHash = await modelHash(ctx.model)
      const hash = contentHash({
        plugin: NAME,
        version: VERSION,
        // Whole problems: the reward verifier labels the samples by any of their fields (`data`,
        // tests, time limits), not only the answer.
        problems: train,
        modelHash: baseHash ?? null,
        // Weights trained on different TensorFlow.js backends, or versions, differ in the last digits:
        // by the catalog's name (tensorflow and tensorflow-gpu are both tfjs's `tensorflow`), and
        // Dawn's null device (garbage) never under a real GPU's webgpu (tf-backend.ts).
        backend,
        tfjs: tf.version_core,
        options: { ...opts, cache: undefined },
        seed: ctx.seed,
        temperature: ctx.temperature,
        generation: ctx.generation,
        reward: { name: ctx.reward.name, version: ctx.reward.meta.version, options: ctx.reward.options ?? null },
      })
      const useCache = opts.cache && baseHash !== undefined
      if (opts.cache && !useCache) ctx.log(`${NAME}: the base model reports no checkpoint hash; training without the cache`)

      if (useCache) {
        const hit = await readCachedModel(ctx.cacheDir, hash)
        if (hit) {
          replaceNet(createScorerNet(hit.shape, createRng(0), hit.weights))
          ctx.log(`${NAME}: loaded cached reward model ${hash.slice(0, 12)} (held-out AUC ${formatAuc(hit.facts as Partial<RewardModelFacts>)})`)
          // The facts are the trained model's, whatever the cache held: whether it answered is in
          // the log line above, never in a result (a cold and a warm run report the same).
          const { cached: _stale, ...recorded } = hit.facts as RewardModelFacts & { cached?: unknown }
          return { ...recorded, backend, prepareMs: performance.now() - started }
        }
      }

      const seed = deriveSeed(ctx.seed, 'reward-model')
      const chosen = seededShuffle(train, deriveSeed(seed, 'prompts')).slice(0, opts.maxPrompts)
      const heldOutCount = Math.min(chosen.length - 1, Math.max(1, Math.round(chosen.length * opts.heldOut)))
      const heldOutIds = new Set(chosen.slice(0, heldOutCount).map((p) => p.id))

      const samples = await collectLabelledSamples(ctx, chosen, {
        samplesPerPrompt: opts.samplesPerPrompt,
        promptsPerCall: opts.promptsPerCall,
        threshold: opts.threshold,
        seed,
        pluginName: NAME,
      })
      const featurise = (s: { problem: Problem; completion: string }) => extractFeatures(s.problem.prompt, s.completion, opts.features, opts.featureDim)
      const trainSet = samples.filter((s) => !heldOutIds.has(s.problem.id))
      const heldOutSet = samples.filter((s) => heldOutIds.has(s.problem.id))
      const trainX = trainSet.map(featurise)
      const heldOutX = heldOutSet.map(featurise)
      const noise = createRng(deriveSeed(seed, 'label-noise'))
      const trainY = trainSet.map((s) => (noise.next() < opts.labelNoise ? 1 - s.label : s.label))

      const fresh = createScorerNet({ dim: opts.featureDim, hidden: opts.hidden }, createRng(deriveSeed(seed, 'init')))
      try {
        await fresh.train(trainX, trainY, {
          epochs: opts.epochs,
          batchSize: opts.batchSize,
          learningRate: opts.learningRate,
          l2: opts.l2,
          rng: createRng(deriveSeed(seed, 'shuffle')),
          signal: ctx.signal,
        })
      } catch (error) {
        fresh.dispose()
        if (ctx.signal?.aborted) throw new BenchError('BENCH_ABORTED', `${NAME}: preparation was cancelled`, { cause: error })
        throw error
      }
      replaceNet(fresh)

      const heldOutScores = await fresh.predict(heldOutX)
      const heldOutLabels = heldOutSet.map((s) => s.label)
      const facts: RewardModelFacts = {
        auc: exactAuc(heldOutScores, heldOutLabels),
        aucCi: aucBootstrapCi(
          heldOutScores,
          heldOutLabels,
          heldOutSet.map((s) => s.problem.id),
          {
            rng: createRng(deriveSeed(seed, 'auc-ci')),
            resamples: AUC_CI_RESAMPLES,
          },
        ),
        trainAuc: exactAuc(
          await fresh.predict(trainX),
          trainSet.map((s) => s.label),
        ),
        trainSize: trainSet.length,
        heldOutSize: heldOutSet.length,
        positives: samples.reduce((n, s) => n + s.label, 0),
        heldOutPositives: heldOutSet.reduce((n, s) => n + s.label, 0),
        prompts: chosen.length,
        hash,
        backend,
        prepareMs: 0,
      }
      if (facts.auc === null) ctx.log(`${NAME}: held-out samples are all ${facts.heldOutPositives === 0 ? 'incorrect' : 'correct'}; AUC is undefined`)
      if (useCache) {
        await writeCachedModel(ctx.cacheDir, { format: 1, hash, shape: fresh.shape, weights: await fresh.exportWeights(), facts: { ...facts } })
      }
      facts.prepareMs = performance.now() - started
      ctx.log(`${NAME}: trained on ${facts.trainSize} samples, held-out AUC ${formatAuc(facts)} (${Math.round(facts.prepareMs)} ms)`)
      return facts
    }

    return {
      prepare,
      prepareNeeds: ({ trainPrompts }) => ({ samples: Math.min(trainPrompts, opts.maxPrompts) * opts.samplesPerPrompt }),
      async score(batch, ctx): Promise<Verdict[]> {
        if (!net) {
          throw new BenchError(
            'BENCH_USAGE',
            `${NAME}: score() was called before prepare(). The reward model must be trained (or loaded from its cache) first: call prepare({ task, model, reward, cacheDir, … }) once before scoring.`,
          )
        }
        if (ctx?.signal?.aborted) throw new BenchError('BENCH_ABORTED', `${NAME}: scoring was cancelled`, { cause: ctx.signal.reason })
        if (batch.length === 0) return []
        const probs = await net.predict(batch.map((item) => extractFeatures(item.problem.prompt, item.completion, opts.features, opts.featureDim)))
        return Array.from(probs, (p) => ({ score: Math.min(Math.max(p, EPS), 1 - EPS), reason: 'scored' }))
      },
      dispose() {
        net?.dispose()
        net = undefined
      },
    }
  },
})

/**
 * `bonbench:reward-model`. `strength` names a preset (presets.ts) applied under the explicit
 * options before the kit validates them.
 */
export function rewardModel(options?: RewardModelOptions): ReturnType<typeof rewardModelFactory> {
  return rewardModelFactory(applyStrength(options) as RewardModelOptions | undefined)
}
