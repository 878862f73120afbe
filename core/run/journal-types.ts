import type { Provenance } from './provenance.js'
import type { CellKey, CellResult, PoolSample, TrainStepLog } from '../plugin-api/results.js'
import type { CheckpointEval } from '../plugin-api/divergence.js'
import type { ShardRecord } from './shard.js'

/**
 * One line of a run's append-only `journal.jsonl`. Records are keyed by (cellId, promptId, seed)
 * through `cellId` (which encodes the seed) and `promptId`; `--resume` skips what is there.
 */
export type JournalRecord =
  /** The evaluation pool of one prompt in one cell, scored by reward and selector. */
  | { type: 'pool'; cellId: string; promptId: string; samples: PoolSample[] }
  /** One optimizer step of a cell's training (or of the shared pretraining, cellId 'pretrain'). */
  | { type: 'train'; cellId: string; log: TrainStepLog }
  /**
   * A checkpoint was written (a killed run resumes training from the newest). `compute`: what the
   * training that made it spent, so a resumed cell that loads it reports the same compute.
   */
  | {
      type: 'checkpoint'
      cellId: string
      step: number
      dir: string
      hash: string
      compute?: { samplesDrawn: number; tokensGenerated: number; tokensTrained: number }
    }
  /**
   * A trained cell evaluated at an intermediate checkpoint (`train.evalEvery`): metrics and KL after
   * `step` optimizer steps. At most one per (cellId, step); `--resume` skips those present.
   */
  | ({ type: 'checkpoint-eval'; cellId: string } & CheckpointEval)
  /** Facts from preparing a shared component (pretraining, reward model: AUC, hashes). */
  | { type: 'prepare'; name: string; facts: Record<string, unknown> }
  /** A finished cell: every metric. Written last for a cell. */
  | { type: 'cell'; cellId: string; key: CellKey; result: CellResult }
  /** A cell failed; the message says why. */
  | { type: 'error'; cellId: string; key: CellKey; message: string }

/**
 * The run manifest, `run.json` (version 2), written before any work: the run's identity, its
 * planned cells, and the provenance record that `results.json` copies and `bench rerun` reads.
 */
export interface RunManifest {
  /** Schema version of run.json. */
  version: 2
  runId: string
  createdAt: string
  cells: Array<{ cellId: string; key: CellKey }>
  /** Present on a shard run (`bench run --shard i/n`): which shard, and the whole plan's cell ids, for `bench merge`. */
  shard?: ShardRecord
  /** Present on a run made by `bench merge`: the shard runs it joins, in shard order, each with its folder and command line (runs merged by an older bonbench have neither). */
  mergedFrom?: Array<{ runId: string; shard: string; runDir?: string; argv?: string[] }>
  provenance: Provenance
}

/** run.json as bonbench wrote it before the provenance block (version 1); read by {@link upgradeManifest}. */
export interface RunManifestV1 {
  version: 1
  runId: string
  createdAt: string
  config: Record<string, unknown>
  plugins: Provenance['plugins']
  cells: Array<{ cellId: string; key: CellKey }>
  dataFiles: Array<{ path: string; sha256: string }>
  git?: { commit: string; dirty: boolean }
  node: string
  backend?: string
  platform: { os: string; arch: string; cpus: number; cpuModel: string }
  seeds: number[]
  argv: string[]
}

/**
 * A version-1 run.json as version 2: the fields it had move into `provenance`; what it never
 * recorded (harness version, strategies' judges, the resolved backend) is marked unknown or left out.
 */
export function upgradeManifest(manifest: RunManifest | RunManifestV1): RunManifest {
  if (manifest.version === 2) return manifest
  const config = manifest.config
  const taskSeed = typeof config.taskSeed === 'number' ? config.taskSeed : 0
  return {
    version: 2,
    runId: manifest.runId,
    createdAt: manifest.createdAt,
    cells: manifest.cells,
    provenance: {
      harness: { name: 'bonbench', version: 'unknown' },
      node: manifest.node,
      platform: manifest.platform,
      cwd: typeof config.baseDir === 'string' ? config.baseDir : '',
      ...(manifest.git ? { git: manifest.git } : {}),
      argv: manifest.argv,
      config,
      plugins: manifest.plugins,
      strategies: (Array.isArray(config.strategies) ? (config.strategies as string[]) : []).map((name) => ({ name, plugin: name })),
      judges: { reward: 'unknown', selector: typeof config.verifier === 'string' ? config.verifier : 'unknown' },
      backend: { requested: manifest.backend ?? 'auto' },
      seeds: { matrix: manifest.seeds, task: taskSeed },
      dataFiles: manifest.dataFiles,
    },
  }
}
