import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'
import { BenchError, defineModel } from 'bonbench'
import { CHECKPOINT_FILE, parseTable } from './checkpoint.js'
import { createTabularInstance } from './tabular-instance.js'
import { TabularTable } from './tabular-table.js'

export { softmax, logSoftmaxAt, scoreGradient, klGradient, klDivergence, sampleCategorical } from './softmax-policy.js'
export { parseChoices, formatChoices } from './answer-set.js'
export type { TabularInstance, TabularOptimizer } from './tabular-instance.js'

/** Options of `bonbench:tabular`. */
export const tabularOptionsSchema = z.strictObject({
  answers: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe('A fixed answer set for every prompt; without it each prompt declares its own on a `choices:` line.'),
  initScale: z.number().min(0).max(10).default(1).describe('Standard deviation of the seeded initial logits (0 gives a uniform policy).'),
  optimizer: z.enum(['sgd', 'adam']).default('sgd').describe('`sgd` (plain θ ← θ − η∇L, default) or `adam`.'),
  // Large: the trainer averages weights over the prompts of a step, and each prompt has its own row.
  learningRate: z.number().positive().default(4).describe('Step size when `update` is called without one.'),
})

/** Options as written in a config. */
export type TabularOptions = z.input<typeof tabularOptionsSchema>

/**
 * `bonbench:tabular`: a softmax policy over a small answer set per prompt, logits θ[prompt][answer]
 * — the smallest trainable model, used for teaching and as the test double of the strategy tests
 * (π, p_fail and π_bon are enumerable).
 *
 * Answer sets: each prompt declares its answers on a line `choices: a | b | c` (the `toy` task
 * writes prompts this way), or the option `answers` fixes one set for all prompts. `create`
 * ignores the corpus: a prompt's entry is made the first time the prompt is seen, with logits
 * N(0, initScale²) seeded by (seed, prompt, answer). Completions are exactly the answer texts
 * (one token each). `update` is one exact-gradient step (SGD by default, Adam as an option) on
 * −Σ wᵢ log π(yᵢ|xᵢ) plus β·KL(π‖π_ref) per prompt, π_ref being the initial weights. `clone()`
 * follows the fine-tuning rule (core/plugin-api/model.ts): the copy keeps the logits, drops the
 * Adam state and takes its current logits as π_ref. A checkpoint keeps logits, reference and Adam
 * state (so `describe().hash` after load equals the hash save returned); a clone of a loaded
 * model and a clone of the saved one are identical.
 * Throws BENCH_PLUGIN_OPTIONS for bad options.
 */
export const tabular = defineModel({
  name: 'bonbench:tabular',
  meta: { version: '0.2.0', description: 'Softmax policy over a small answer set per prompt (exact gradients; for tests and teaching)' },
  options: tabularOptionsSchema,
  create(resolved) {
    const optimizer = { kind: resolved.optimizer, learningRate: resolved.learningRate }
    return {
      // A uniform table is the interesting start: every prompt is solved sometimes, few always.
      trainingDefaults: { pretrainSteps: 0 },
      // Plain JavaScript: no TensorFlow.js backend, so `--backend` does not apply.
      usesBackend: false,
      throughput: { sampleTokensPerSecond: 2_000_000, trainTokensPerSecond: 2_000_000 },
      async create(ctx) {
        const table = new TabularTable({ seed: ctx.seed, initScale: resolved.initScale, ...(resolved.answers ? { answers: resolved.answers } : {}) })
        return createTabularInstance(table, optimizer)
      },
      // A tabular checkpoint already holds the whole training state (logits, KL reference, Adam
      // moments and step counts), so a resumable one is the same file.
      loadResumable: (dir) => loadTable(dir),
      load: (dir) => loadTable(dir),
    }
    async function loadTable(dir: string) {
      const path = join(dir, CHECKPOINT_FILE)
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (cause) {
        throw new BenchError(
          'BENCH_DATA_MISSING',
          `bonbench:tabular: no checkpoint at ${path}. Give a folder a tabular model saved (a run's checkpoints/<cell>), or copy it again if it was damaged.`,
          { cause },
        )
      }
      // The checkpoint carries the KL reference and Adam state too, so a resumed run trains on as before.
      const { table, optimizer: kind } = parseTable(text, path)
      return createTabularInstance(table, { kind: kind === 'adam' ? 'adam' : 'sgd', learningRate: resolved.learningRate })
    }
  },
})
