import { defineConfig } from 'bonbench'

/**
 * The nightly regression matrix: fixed, seeded, and sized to use most of a 20-minute budget on a
 * 2-core CI runner (see docs/nightly.md). Everything is pinned — task seed, matrix seeds, N grid,
 * training budget — so two nightly runs of the same code draw bit-identical numbers, and
 * `bench compare` against the last good run sees only what the code changed.
 *
 * The base is competent: level-1 arithmetic with the study's pretraining (1500 steps at 1e-3).
 * It is strong enough that at T = 0.7 and 1 its pass@1 is 69% and 65%; at the nightly's
 * temperatures, 1.4 and 1.6, it is 58% and 51% (measured, 400 prompts), inside the 30–60% band,
 * so a broken strategy has something to lose and a gain has room.
 * The base model and the reward model (the selector) are cached by content hash in
 * `.bench/cache`; with that cache restored, nightly time goes to the strategies and evaluation.
 * 400 test prompts × 16 seeds put the minimal detectable drop of pass@1 and Bo-4 well under 5 points
 * after Holm over the 18 primary tests (docs/nightly.md has the measured numbers).
 * Edit it only together with the stored last-good run (the comparison lists cells that exist in
 * one run only and skips them).
 *
 * Run it: `bench run --config benchmarks/nightly.config.ts --no-tui`
 */
export default defineConfig({
  plugins: [['math', { levels: [1], testSize: 400 }], 'json', 'markdown', 'html'],
  matrix: {
    task: 'math',
    model: 'tiny-transformer',
    // One BoN-aware strategy and the baseline it should beat (DESIGN §2.4, P1/P2); the base model is always evaluated.
    strategies: ['bon-rl', 'sft'],
    nGrid: [1, 2, 4, 8],
    nTrain: [4],
    temperatures: [1.4, 1.6],
    seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    poolSize: 16,
  },
  train: { steps: 20, batchPrompts: 8, pretrainSteps: 1500, pretrainLearningRate: 1e-3 },
  eval: { testPrompts: 400, bootstrap: 200 },
  taskSeed: 0,
  runsDir: '.bench/nightly',
  concurrency: 2,
})
