import { describe, expect, it } from 'vitest'
import { failureCollector, renderFailureSummary } from '../../../cli/run-failures.js'

const key = { task: 'toy', model: 'tabular', strategy: 'sft', nTrain: 1, temperature: 1, seed: 0 }

describe('renderFailureSummary', () => {
  it('names each failed cell and prints the resume command', () => {
    const text = renderFailureSummary({ failed: [{ cellId: 'sft-n1-t1-s0', message: 'boom' }], cells: 3, runDir: '/runs/r1' })
    expect(text).toBe(
      'bench: 1 of 3 cells failed:\n  sft-n1-t1-s0: boom\nFix the cause, then finish the run (finished cells are kept, failed ones run again) with:\n  bench run --resume /runs/r1\n',
    )
  })

  it('says to start a new run, not to resume, when every failure is a training that diverged', () => {
    const diverged = { cellId: 'sft-n1-t1-s0', message: 'Training diverged: …', code: 'BENCH_TRAINING_DIVERGED' }
    const cells = renderFailureSummary({ failed: [diverged], cells: 3, runDir: '/runs/r1' })
    expect(cells).toContain('start a new run with a lower rate')
    expect(cells).not.toContain('--resume /runs/r1')
    const stopped = renderFailureSummary({
      failed: [],
      cells: 3,
      runDir: '/runs/r1',
      stoppedBy: 'Training diverged: …',
      stoppedCode: 'BENCH_TRAINING_DIVERGED',
    })
    expect(stopped).toContain('bench: the run stopped on this error.\n')
    expect(stopped).toContain('start a new run with a lower rate')
    // Another failure beside it: a resume is worth it for that cell.
    const mixed = renderFailureSummary({ failed: [diverged, { cellId: 'rl-n1-t1-s0', message: 'boom' }], cells: 3, runDir: '/runs/r1' })
    expect(mixed).toContain('bench run --resume /runs/r1')
    // A model that cannot train: a resume keeps it.
    const untrainable = renderFailureSummary({ failed: [{ ...diverged, code: 'BENCH_MODEL_CANNOT_TRAIN' }], cells: 3, runDir: '/runs/r1' })
    expect(untrainable).toContain('start a new run with the fix above')
    expect(untrainable).not.toContain('--resume /runs/r1')
  })
})

describe('failureCollector', () => {
  it('keeps the code of each cell:error event that has one', () => {
    const collector = failureCollector()
    collector.onEvent({ type: 'cell:error', cellId: 'a', key, message: 'm1', code: 'BENCH_TRAINING_DIVERGED' })
    collector.onEvent({ type: 'cell:error', cellId: 'b', key, message: 'm2' })
    expect(collector.failed).toEqual([
      { cellId: 'a', message: 'm1', code: 'BENCH_TRAINING_DIVERGED' },
      { cellId: 'b', message: 'm2' },
    ])
  })
})
