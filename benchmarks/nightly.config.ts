import { defineConfig } from 'bonbench'

/**
 * The nightly regression matrix: fixed, small, and meant to finish in under 20 minutes on a
 * 2-core CI runner (see docs/nightly.md). Everything is pinned — task seed, matrix seeds, N grid,
 * training budget — so two nightly runs of the same code draw the same numbers, and `bench compare`
 * against the last good run sees only what the code changed. Edit it only together with the
 * stored last-good run (the comparison lists cells that exist in one run only and skips them).
 *
 * Run it: `bench run --config benchmarks/nightly.config.ts --no-tui`
 */
export default defineConfig({
  plugins: ['json', 'markdown', 'html'],
  matrix: {
    task: 'math',
    model: 'tiny-transformer',
    // One BoN-aware strategy and the baseline it should beat (DESIGN §2.4, P1/P2); the base model is always evaluated.
    strategies: ['bon-rl', 'sft'],
    nGrid: [1, 2, 4, 8],
    nTrain: [4],
    temperatures: [0.7, 1],
    seeds: [0, 1],
    poolSize: 16,
  },
  train: { steps: 20, batchPrompts: 8, pretrainSteps: 300 },
  eval: { testPrompts: 60, bootstrap: 1000 },
  taskSeed: 0,
  runsDir: '.bench/nightly',
  concurrency: 2,
})
