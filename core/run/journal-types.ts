import type { CellKey, CellResult, PoolSample, TrainStepLog } from '../plugin-api/results.js'

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
  | { type: 'checkpoint'; cellId: string; step: number; dir: string; hash: string; compute?: { samplesDrawn: number; tokensGenerated: number; tokensTrained: number } }
  /** Facts from preparing a shared component (pretraining, reward model: AUC, hashes). */
  | { type: 'prepare'; name: string; facts: Record<string, unknown> }
  /** A finished cell: every metric. Written last for a cell. */
  | { type: 'cell'; cellId: string; key: CellKey; result: CellResult }
  /** A cell failed; the message says why. */
  | { type: 'error'; cellId: string; key: CellKey; message: string }

/** The run manifest, `run.json`, written before any work. */
export interface RunManifest {
  /** Schema version of run.json. */
  version: 1
  runId: string
  createdAt: string
  /** The resolved config (plain data: plugin references as {name, version, options}). */
  config: Record<string, unknown>
  plugins: Array<{ name: string; kind: string; version: string; options: Record<string, unknown>; source: string }>
  cells: Array<{ cellId: string; key: CellKey }>
  dataFiles: Array<{ path: string; sha256: string }>
  git?: { commit: string; dirty: boolean }
  node: string
  backend?: string
  platform: { os: string; arch: string; cpus: number; cpuModel: string }
  seeds: number[]
  argv: string[]
}
