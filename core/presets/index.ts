import type { UserConfig } from '../config/types.js'

/**
 * Named presets are just configs, merged over the built-in defaults and under the config file
 * and flags. Budgets are for the default tiny-transformer on a 2-core machine.
 */
export const presets: Record<string, UserConfig> = {
  /** About 2 minutes: the end-to-end test's size. */
  quick: {
    matrix: { nGrid: [1, 2, 4, 8], nTrain: [4], temperatures: [1], seeds: [0], poolSize: 16 },
    train: { steps: 8, batchPrompts: 8, pretrainSteps: 200 },
    eval: { testPrompts: 40, bootstrap: 400 },
  },
  /** At most 10 minutes: the main job's default. */
  default: {
    matrix: { nGrid: [1, 2, 4, 8, 16, 32], nTrain: [4], temperatures: [1], seeds: [0], poolSize: 64 },
    train: { steps: 20, batchPrompts: 8, pretrainSteps: 600 },
    eval: { testPrompts: 60, bootstrap: 1000 },
  },
  /** Up to about an hour, 3 seeds: the budget behind docs/results.md. */
  study: {
    matrix: { nGrid: [1, 2, 4, 8, 16], nTrain: [4], temperatures: [1], seeds: [0, 1, 2], poolSize: 32 },
    train: { steps: 30, batchPrompts: 8, pretrainSteps: 1500 },
    eval: { testPrompts: 80, bootstrap: 1000 },
  },
}
