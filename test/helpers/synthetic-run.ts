import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { summarizePools } from '../../core/metrics/pool-summary.js'
import type { Rng } from '../../core/plugin-api/common.js'
import type { CellKey, CellMetrics, CellResult, PoolSample, PromptMetrics, TrainStepLog } from '../../core/plugin-api/results.js'
import { createRng, deriveSeed } from '../../core/rng.js'
import type { JournalRecord, RunManifest } from '../../core/run/journal-types.js'
import { emptyProvenance } from '../../core/testing/sample-events.js'
import { type RunData, runDataOf } from '../../core/run/run-record.js'

/** A trained strategy of a synthetic run: its logit shift over the base model on every prompt. */
export interface SyntheticStrategy {
  name: string
  nTrain?: number
  shift: number
}

/**
 * What a synthetic run looks like. Prompt difficulties depend on `taskSeed` only, so runs with the
 * same task seed share prompts; everything sampled depends on `seed` (the run's randomness).
 */
export interface SyntheticRunSpec {
  runId?: string
  seed?: number
  taskSeed?: number
  strategies?: SyntheticStrategy[]
  temperatures?: number[]
  seeds?: number[]
  prompts?: number
  poolSize?: number
  grid?: number[]
  /** Standard deviation of a trained cell's extra logit shift per (strategy, seed): training noise. */
  seedEffect?: number
  /** Extra logit shift for chosen cells: plant a regression or a gain. */
  cellShift?: (key: CellKey) => number
  /** Noise of the verifier score around the reward (larger: a worse verifier). */
  verifierNoise?: number
  trainSteps?: number
  /** Bootstrap resamples of each cell's CIs (small keeps tests fast). */
  bootstrap?: number
  /** Build the text and answer of every sample (false: bare pools, for speed). */
  withText?: boolean
}

/** A synthetic run in memory: what `bench run` would have written. */
export interface SyntheticRun {
  manifest: RunManifest
  records: JournalRecord[]
}

const defaults = {
  runId: 'synthetic',
  seed: 1,
  taskSeed: 7,
  strategies: [
    { name: 'bon-rl', nTrain: 4, shift: 0.6 },
    { name: 'sft', nTrain: 1, shift: -0.3 },
  ] as SyntheticStrategy[],
  temperatures: [0.7, 1],
  seeds: [0, 1],
  prompts: 24,
  poolSize: 16,
  grid: [1, 2, 4, 8, 16],
  seedEffect: 0.05,
  verifierNoise: 0.6,
  trainSteps: 12,
  bootstrap: 200,
  withText: true,
}

function normal(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

/** The cell id the generator uses: readable and unique per key. */
export function syntheticCellId(key: CellKey): string {
  return `${key.strategy}-n${key.nTrain}-t${key.temperature}-s${key.seed}`
}

/** Prompt difficulties (logits of the base model at T = 1), fixed by the task seed. */
export function promptDifficulties(taskSeed: number, prompts: number): number[] {
  const rng = createRng(deriveSeed(taskSeed, 'difficulty'))
  return Array.from({ length: prompts }, () => 0.2 + 1.5 * normal(rng))
}

function pool(rng: Rng, promptIndex: number, pCorrect: number, size: number, noise: number, withText: boolean): PoolSample[] {
  const wrong = [`${promptIndex + 1}`, `${promptIndex + 2}`, `${2 * promptIndex + 5}`]
  return Array.from({ length: size }, () => {
    const reward = rng.next() < pCorrect ? 1 : 0
    // Rounded scores make ties, which Bo-N must split.
    const score = Math.round((reward * 1.2 + noise * normal(rng)) * 20) / 20
    const answer = reward ? `${promptIndex}` : wrong[Math.min(2, Math.floor(rng.next() * rng.next() * 4))]!
    const tokens = 8 + rng.int(24)
    if (!withText) return { text: '', reward, score, answer, tokens }
    return { text: `Step by step, prompt ${promptIndex} </script><b>x</b> gives ${answer}. The answer is ${answer}`, reward, score, answer, tokens }
  })
}

function trainingLogs(rng: Rng, steps: number, shift: number): TrainStepLog[] {
  return Array.from({ length: steps }, (_, step) => ({
    step: step + 1,
    loss: 2 * Math.exp(-step / 6) + 0.3 + 0.05 * normal(rng),
    gradNorm: 1 + 0.2 * rng.next(),
    reward: Math.min(1, Math.max(0, 0.3 + 0.03 * step * Math.sign(shift || 1) + 0.02 * normal(rng))),
    lambda: 4.92,
    clipRate: 0.01 * rng.int(3),
  }))
}

function cellResult(
  key: CellKey,
  pools: Array<{ promptId: string; samples: PoolSample[] }>,
  grid: number[],
  bootstrap: number,
  seed: number,
  training: TrainStepLog[],
): CellResult {
  const summary = summarizePools(
    pools.map((p) => ({ id: p.promptId, samples: p.samples })),
    { ks: grid, seed, resamples: bootstrap, majority: { exactLimit: 1e5, monteCarloSamples: 200 } },
  )
  const bon = summary.bestOfN!
  const maj = summary.majorityAtK!
  const metrics: CellMetrics = {
    grid,
    passAtN: summary.passAtK.values,
    bestOfN: bon.values,
    majorityAtN: maj.values,
    majorityStdErr: maj.stdErr,
    distinctAtN: summary.distinctAtK!,
    pass1: pools.reduce((s, p) => s + p.samples.filter((x) => x.reward >= 1).length / p.samples.length, 0) / pools.length,
    meanReward: summary.meanReward,
    ci: { passAtN: summary.passAtK.ci, bestOfN: bon.ci, majorityAtN: maj.ci },
    threshold: 1,
  }
  const prompts: PromptMetrics[] = pools.map((p, i) => ({
    promptId: p.promptId,
    passAtN: summary.passAtK.perProblem[i]!,
    bestOfN: bon.perProblem[i]!,
    majorityAtN: maj.perProblem[i]!,
    pFail: 1 - p.samples.filter((x) => x.reward >= 1).length / p.samples.length,
  }))
  const samples = pools.reduce((s, p) => s + p.samples.length, 0)
  const tokens = pools.reduce((s, p) => s + p.samples.reduce((t, x) => t + x.tokens, 0), 0)
  return {
    cellId: syntheticCellId(key),
    key,
    metrics,
    prompts,
    compute: { samplesDrawn: samples, tokensGenerated: tokens, tokensTrained: training.length * 400, wallMs: 1000 + training.length * 50 },
    training,
  }
}

/**
 * Builds a synthetic run: the base model plus each strategy × temperature × seed, a pool per
 * prompt whose correctness follows p = sigmoid((difficulty + shift) / T), and CellMetrics computed
 * with core/metrics (summarizePools). Deterministic given the spec.
 */
export function syntheticRun(spec: SyntheticRunSpec = {}): SyntheticRun {
  const s = { ...defaults, ...spec }
  const difficulty = promptDifficulties(s.taskSeed, s.prompts)
  const strategies: SyntheticStrategy[] = [{ name: 'base', nTrain: 1, shift: 0 }, ...s.strategies]
  const keys: CellKey[] = []
  for (const strategy of strategies) {
    for (const temperature of s.temperatures) {
      for (const seed of s.seeds)
        keys.push({ task: 'math', model: 'tiny-transformer', strategy: strategy.name, nTrain: strategy.nTrain ?? 1, temperature, seed })
    }
  }
  const records: JournalRecord[] = [{ type: 'prepare', name: 'reward-model', facts: { auc: 0.83, steps: 200 } }]
  const pretrainRng = createRng(deriveSeed(s.seed, 'pretrain'))
  for (const log of trainingLogs(pretrainRng, s.trainSteps, 1)) records.push({ type: 'train', cellId: 'pretrain', log })
  for (const key of keys) {
    const cellId = syntheticCellId(key)
    const strategy = strategies.find((x) => x.name === key.strategy)!
    const seedRng = createRng(deriveSeed(s.seed, 'seed-effect', key.strategy, key.seed, key.temperature))
    const trained = key.strategy !== 'base'
    const shift = strategy.shift + (trained ? s.seedEffect * normal(seedRng) : 0) + (s.cellShift?.(key) ?? 0)
    const rng = createRng(deriveSeed(s.seed, cellId))
    const training = trained ? trainingLogs(rng.fork('train'), s.trainSteps, shift) : []
    for (const log of training) records.push({ type: 'train', cellId, log })
    const pools = difficulty.map((d, i) => {
      const p = 1 / (1 + Math.exp(-(d + shift) / key.temperature))
      return { promptId: `math-${String(i).padStart(3, '0')}`, samples: pool(rng.fork(i), i, p, s.poolSize, s.verifierNoise, s.withText) }
    })
    for (const p of pools) records.push({ type: 'pool', cellId, promptId: p.promptId, samples: p.samples })
    const result = cellResult(key, pools, s.grid, s.bootstrap, deriveSeed(s.seed, 'boot', cellId), training)
    records.push({ type: 'cell', cellId, key, result })
  }
  const manifest: RunManifest = {
    version: 2,
    runId: s.runId,
    createdAt: '2026-11-25T12:00:00.000Z',
    cells: keys.map((key) => ({ cellId: syntheticCellId(key), key })),
    provenance: emptyProvenance({
      harness: { name: 'bonbench', version: '0.1.0', git: { commit: 'fedcba9876543210fedcba9876543210fedcba98', dirty: true } },
      node: 'v20.0.0',
      platform: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Synthetic CPU | with a pipe' },
      cwd: '/synthetic',
      git: { commit: '0123456789abcdef0123456789abcdef01234567', dirty: false },
      argv: ['run', '--config', 'synthetic.config.ts'],
      config: {
        matrix: {
          task: 'math',
          model: 'tiny-transformer',
          strategies: s.strategies.map((x) => x.name),
          nGrid: s.grid,
          temperatures: s.temperatures,
          seeds: s.seeds,
          poolSize: s.poolSize,
        },
      },
      plugins: [
        { name: 'bonbench:math', kind: 'task', version: '0.1.0', options: { digits: 2 }, source: 'builtin' },
        { name: 'bonbench:tiny-transformer', kind: 'model', version: '0.1.0', options: { layers: 2, dModel: 64 }, source: 'builtin' },
        { name: 'bonbench:math-answer', kind: 'verifier', version: '0.1.0', options: {}, source: 'builtin' },
        ...s.strategies.map((x) => ({ name: `bonbench:${x.name}`, kind: 'strategy', version: '0.1.0', options: { nTrain: x.nTrain ?? 1 }, source: 'builtin' })),
      ],
      strategies: s.strategies.map((x) => ({
        name: x.name,
        plugin: `bonbench:${x.name}`,
        selection: x.name.startsWith('bon-') ? ('verifier' as const) : ('none' as const),
      })),
      judges: { reward: 'bonbench:math-answer', selector: 'bonbench:reward-model' },
      backend: { requested: 'auto', resolved: 'wasm', device: 'cpu' },
      seeds: { matrix: s.seeds, task: 1234 },
      dataFiles: [],
    }),
  }
  return { manifest, records }
}

/** Writes a synthetic run as `run.json` + `journal.jsonl` under `dir` (created). Returns `dir`. */
export async function writeSyntheticRun(dir: string, spec: SyntheticRunSpec = {}, extraJournalText = ''): Promise<string> {
  const run = syntheticRun(spec)
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'run.json'), JSON.stringify(run.manifest, null, 2))
  await writeFile(path.join(dir, 'journal.jsonl'), run.records.map((r) => JSON.stringify(r)).join('\n') + '\n' + extraJournalText)
  return dir
}

/** The same run as `readRun` would return it, without touching the disk (fast tests). */
export function syntheticRunData(spec: SyntheticRunSpec = {}): RunData {
  const { manifest, records } = syntheticRun(spec)
  return runDataOf(`/synthetic/${manifest.runId}`, manifest, records)
}
