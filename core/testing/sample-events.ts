import { computeCellMetrics } from '../eval/cell-metrics.js'
import type { RunEvent, RunEventType } from '../events.js'
import type { CellKey, CellResult, PromptPool } from '../plugin-api/results.js'
import type { RunManifest } from '../run/journal-types.js'
import type { Provenance } from '../run/provenance.js'

const key = (strategy: string, nTrain: number): CellKey => ({ task: 'bonbench:toy', model: 'bonbench:tabular', strategy, nTrain, temperature: 1, seed: 0 })

/** A small finished cell with real metrics (computed from fixed pools), for sample events. */
export function sampleCellResult(cellId: string, cellKey: CellKey): CellResult {
  const pools: PromptPool[] = ['p0', 'p1', 'p2'].map((promptId, i) => ({
    promptId,
    samples: [0, 1, 2, 3].map((j) => ({
      text: `answer ${(i + j) % 3}`,
      reward: (i + j) % 2,
      score: ((i + j) % 4) / 4,
      answer: String((i + j) % 3),
      tokens: 2,
    })),
  }))
  const { metrics, prompts } = computeCellMetrics(pools, { nGrid: [1, 2, 4], threshold: 1, bootstrap: 20, seed: 0 })
  return {
    cellId,
    key: cellKey,
    metrics,
    prompts,
    compute: { samplesDrawn: 12, tokensGenerated: 24, tokensTrained: cellKey.strategy === 'base' ? 0 : 16, wallMs: 12 },
    training: cellKey.strategy === 'base' ? [] : [{ step: 1, loss: 0.7, gradNorm: 0.3, reward: 0.5, verifierScore: 0.5, lambda: 2.29 }],
  }
}

/**
 * One sample of every RunEvent type, in an order a real run could emit them (a fresh run with a
 * finished, a skipped and a failed cell), for reporter contract tests. Every member of the union
 * is present: the mapped type below stops compiling when core/events.ts gains a type.
 */
export function sampleRunEvents(runDir: string): RunEvent[] {
  const base = sampleCellResult('base', key('base', 1))
  const trained = sampleCellResult('bon-rl-n2', key('bon-rl', 2))
  const plan = {
    cells: [base, trained, { cellId: 'sft-n1', key: key('sft', 1) }].map((c) => ({ cellId: c.cellId, key: c.key })),
    samplesToDraw: 36,
    estimatedSeconds: 3,
  }
  const events: { [T in RunEventType]: Array<Extract<RunEvent, { type: T }>> } = {
    'run:start': [{ type: 'run:start', runId: 'contract', runDir, plan, resumed: false }],
    'cell:skip': [{ type: 'cell:skip', cellId: 'base', key: base.key, result: base }],
    'cell:start': [{ type: 'cell:start', cellId: trained.cellId, key: trained.key }],
    phase: [
      { type: 'phase', cellId: trained.cellId, phase: 'train', total: 2 },
      { type: 'phase', cellId: trained.cellId, phase: 'sample', total: 3 },
    ],
    progress: [
      { type: 'progress', cellId: trained.cellId, phase: 'train', done: 1, total: 2, loss: 0.7 },
      { type: 'progress', cellId: trained.cellId, phase: 'sample', done: 3, total: 3, accuracy: 0.5 },
    ],
    'train:step': [{ type: 'train:step', cellId: trained.cellId, phase: 'train', log: trained.training[0]! }],
    log: [
      { type: 'log', level: 'info', message: 'an info line' },
      { type: 'log', level: 'warn', message: 'a warning', cellId: trained.cellId },
      { type: 'log', level: 'error', message: 'an error line' },
    ],
    'cell:end': [{ type: 'cell:end', cellId: trained.cellId, key: trained.key, result: trained, metrics: trained.metrics }],
    'cell:error': [{ type: 'cell:error', cellId: 'sft-n1', key: key('sft', 1), message: 'bonbench:sft: problem has no expert solution' }],
    'run:end': [{ type: 'run:end', runId: 'contract', runDir, results: [base, trained], interrupted: false, wallMs: 40 }],
  }
  const order: RunEventType[] = ['run:start', 'cell:skip', 'cell:start', 'phase', 'progress', 'train:step', 'log', 'cell:end', 'cell:error', 'run:end']
  const byType = events as Record<RunEventType, RunEvent[]>
  // Phase, progress and train:step interleave as a real cell's would.
  const [trainPhase, samplePhase] = byType.phase
  const [trainProgress, sampleProgress] = byType.progress
  return order.flatMap((type): RunEvent[] => {
    if (type === 'phase') return [trainPhase!, trainProgress!, byType['train:step'][0]!, samplePhase!, sampleProgress!]
    if (type === 'progress' || type === 'train:step') return []
    return byType[type]
  })
}

/** A minimal valid provenance block (no plugins, no data files), for run.json and results.json fixtures. */
export function emptyProvenance(overrides: Partial<Provenance> = {}): Provenance {
  return {
    harness: { name: 'bonbench', version: '0.0.0' },
    node: process.version,
    platform: { os: process.platform, arch: process.arch, cpus: 1, cpuModel: 'unknown' },
    cwd: '/',
    argv: [],
    config: {},
    plugins: [],
    strategies: [],
    judges: { reward: 'unknown', selector: 'unknown' },
    backend: { requested: 'auto' },
    seeds: { matrix: [0], task: 0 },
    dataFiles: [],
    ...overrides,
  }
}

/** A minimal valid `run.json` for a run directory whose journal is still empty. */
export function emptyRunManifest(runId: string): RunManifest {
  return { version: 2, runId, createdAt: new Date(0).toISOString(), cells: [], provenance: emptyProvenance() }
}
