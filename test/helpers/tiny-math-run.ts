import { readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The issue-12 command (`bench run math --preset quick --strategies sft,bon-rl … --cache-dir D`)
 * shrunk for CI: a one-layer tiny-transformer of width 16 and a small reward model, so a whole
 * run — pretraining, reward-model preparation, two fine-tuned arms, every pool — takes seconds.
 * (No `--preset quick`: a preset's plugin list replaces the config file's, model options included.)
 * Its journal has 22 records: pretraining 0–2, prepare 3, base pools 4–6 and cell 7, sft train
 * 8–9, checkpoint 10, pools 11–13, cell 14, bon-rl train 15–16, checkpoint 17, pools 18–20, cell 21.
 */
export const tinyMathConfig = {
  plugins: [
    ['math', { levels: [1] }],
    ['tiny-transformer', { layers: 1, width: 16, heads: 2, context: 32, dropout: 0.1 }],
    ['reward-model', { samplesPerPrompt: 2, maxPrompts: 8, featureDim: 64, epochs: 2 }],
  ],
  matrix: { model: 'tiny-transformer', nTrain: [4], temperatures: [1] },
  train: { batchPrompts: 4 },
  eval: { bootstrap: 50 },
}

/** Writes the config into `dir` (as bench.config.json, or `file`); `evalEvery` sets `train.evalEvery` (checkpoint evaluations and KL). */
export function writeTinyMathConfig(dir: string, opts: { evalEvery?: number; file?: string } = {}): void {
  const config = opts.evalEvery ? { ...tinyMathConfig, train: { ...tinyMathConfig.train, evalEvery: opts.evalEvery } } : tinyMathConfig
  writeFileSync(join(dir, opts.file ?? 'bench.config.json'), JSON.stringify(config))
}

/**
 * With `train.evalEvery: 1` the two trained arms (2 steps each) are also evaluated after step 1,
 * one 'checkpoint-eval' record each, and every cell record carries its KL: 24 records — pretraining
 * 0–2, prepare 3, base pools 4–6 and cell 7, sft train 8, checkpoint-eval 9, train 10, checkpoint
 * 11, pools 12–14, cell 15, bon-rl train 16, checkpoint-eval 17, train 18, checkpoint 19, pools
 * 20–22, cell 23.
 */
export const EVAL_EVERY_RECORDS = 24

/** `bench run` arguments of the shrunk command, with its own runs folder and cache. */
export function tinyMathArgs(opts: { runsDir: string; cacheDir: string; concurrency: number }): string[] {
  return [
    'run',
    'math',
    '--strategies',
    'sft,bon-rl',
    '--steps',
    '2',
    '--pretrain-steps',
    '3',
    '--test-prompts',
    '3',
    '--n',
    '1,2',
    '--seeds',
    '1',
    '--cache-dir',
    opts.cacheDir,
    '--runs-dir',
    opts.runsDir,
    '--concurrency',
    String(opts.concurrency),
    '--no-tui',
    '--no-reports',
  ]
}

/** The journal of the only run in `runsDir`. */
export function onlyJournal(runsDir: string): string {
  const runs = readdirSync(runsDir)
  if (runs.length !== 1) throw new Error(`${runsDir} holds ${runs.length} runs, expected 1`)
  return join(runsDir, runs[0]!, 'journal.jsonl')
}
