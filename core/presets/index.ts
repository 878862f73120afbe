import type { UserConfig } from '../config/types.js'

/**
 * The main job's task: `math` at level 1 (one + or − of 1–2 digit numbers). There the default
 * tiny-transformer, pretrained 1,500 steps (about 5 minutes), solves prompts at about 35% with a
 * wide spread — some always, many sometimes, a third never: the regime where Best-of-N matters.
 * The harder levels stay available as task options.
 */
const MAIN_JOB_TASK: UserConfig['plugins'] = [['math', { levels: [1] }]]

/**
 * Named presets are just configs. A preset named with `--preset` is merged over the config file
 * and under the flags; with none named, `default` lies under the config file. Budgets are for the
 * default tiny-transformer on a 2-core machine.
 */
export const presets: Record<string, UserConfig> = {
  /** About 2 minutes: the end-to-end test's size. */
  quick: {
    plugins: MAIN_JOB_TASK,
    matrix: { nGrid: [1, 2, 4, 8], nTrain: [4], temperatures: [1], seeds: [0] },
    train: { steps: 8, batchPrompts: 8, pretrainSteps: 200 },
    eval: { testPrompts: 40, bootstrap: 400 },
  },
  /**
   * At most 10 minutes: the main job's default, applied under the config file when no preset is
   * named. Pretraining steps are left to the model (tiny-transformer: 1,500; tabular: none).
   * 100 fine-tuning steps (as in the study): at 30 the strategies moved the base by a few points.
   */
  default: {
    plugins: MAIN_JOB_TASK,
    matrix: { nGrid: [1, 2, 4, 8, 16, 32], nTrain: [4], temperatures: [1], seeds: [0] },
    train: { steps: 100, batchPrompts: 8 },
    eval: { testPrompts: 200, bootstrap: 1000 },
  },
  /**
   * About 32 minutes on 2 cores (6 of them pretraining), 5 seeds × 800 test prompts: the budget
   * behind docs/study/results.md (docs/study/study.config.json), sized so that the paper's effects
   * (4–7 points) are within the design's minimum detectable effects. The base model is also
   * evaluated at two more temperatures for the co-scaling law.
   */
  study: {
    plugins: [['math', { levels: [1], testSize: 800 }]],
    matrix: { nGrid: [1, 2, 4, 8, 16], nTrain: [4], temperatures: [1], baseTemperatures: [0.6, 1.4], seeds: [0, 1, 2, 3, 4] },
    train: { steps: 100, batchPrompts: 8, pretrainSteps: 1500 },
    eval: { testPrompts: 800, bootstrap: 1000 },
  },
  /**
   * Sized for one GPU (issue #18): `bench run math --preset gpu --backend webgpu`. A 4 × 256
   * tiny-transformer (3.2 M parameters, 8× the default) pretrained 1,500 steps at 128
   * sequences, every built-in strategy, N up to 64, 400 test prompts, sampling batches of 4,096
   * rows. The goal is ≤ 10 minutes on an H200-class GPU; not yet timed on one. On 2 CPU cores
   * it would take many hours: it is not a CPU preset.
   */
  gpu: {
    plugins: [
      ['math', { levels: [1], testSize: 400 }],
      ['tiny-transformer', { layers: 4, width: 256, heads: 8, batching: { sampleRows: 4096, scoreRows: 512 } }],
    ],
    matrix: {
      model: 'tiny-transformer',
      strategies: ['sft', 'rl', 'bon-sft', 'bon-rl', 'bon-rl-v', 'bon-rl-s', 'bon-rlb', 'bon-rlb-p', 'vbon', 'bond', 'pass-at-k'],
      nGrid: [1, 2, 4, 8, 16, 32, 64],
      nTrain: [4],
      temperatures: [1],
      seeds: [0],
    },
    train: { steps: 100, batchPrompts: 16, pretrainSteps: 1500, pretrainBatch: 128 },
    eval: { testPrompts: 400, bootstrap: 1000 },
  },
}
