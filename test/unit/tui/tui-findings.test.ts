// The live UI's state and layout after the terminal review: rows outside the plan that never get a
// final progress event retire, warnings are kept for the end, and the live region fits the screen.
import { describe, expect, it } from 'vitest'
import { fitLiveRegion } from '../../../cli/tui/live-region.js'
import { initialRunView, liveCells, reduceRunView, type CellView, type RunView } from '../../../cli/tui/run-state.js'
import type { RunEvent } from '../../../core/events.js'
import { CELLS, key, RESULTS } from '../../fixtures/tui/run-events.js'

const start: RunEvent = { type: 'run:start', runId: 'r', runDir: '/r', resumed: false, plan: { cells: CELLS, samplesToDraw: 1, estimatedSeconds: 1 } }
const fold = (events: RunEvent[]): RunView => events.reduce((view, event, i) => reduceRunView(view, event, 100 * i), initialRunView())
const live = (view: RunView) =>
  liveCells(view)
    .filter((c) => c.status === 'running')
    .map((c) => c.cellId)

describe('rows outside the plan', () => {
  it('retire a cached base model (phase, total 0) and a prepared selector (phase, total 1, no progress) once the run moves on', () => {
    const before = fold([
      start,
      { type: 'phase', cellId: 'pretrain', phase: 'pretrain', total: 0 },
      { type: 'phase', cellId: 'prepare', phase: 'prepare', total: 1 },
    ])
    // The selector's preparation follows the base model: the pretraining row is done.
    expect(live(before)).toEqual(['prepare'])
    const after = reduceRunView(before, { type: 'cell:start', cellId: CELLS[0]!.cellId, key: key('base') }, 1000)
    expect(live(after)).toEqual([CELLS[0]!.cellId])
    expect(after.staticEntries.filter((e) => e.kind === 'phase').map((e) => e.kind === 'phase' && [e.cellId, e.phase, e.total])).toEqual([
      ['pretrain', 'pretrain', 0],
      ['prepare', 'prepare', 1],
    ])
  })

  it('a resumed run whose cells come from the journal retires them too', () => {
    const view = fold([
      start,
      { type: 'phase', cellId: 'pretrain', phase: 'pretrain', total: 0 },
      { type: 'cell:skip', cellId: CELLS[0]!.cellId, key: key('base'), result: RESULTS.base },
    ])
    expect(view.cells.pretrain!.status).toBe('done')
  })

  it('a pretraining that reports its last step still retires once, at that step', () => {
    const view = fold([
      start,
      { type: 'phase', cellId: 'pretrain', phase: 'pretrain', total: 2 },
      { type: 'progress', cellId: 'pretrain', phase: 'pretrain', done: 2, total: 2 },
      { type: 'cell:start', cellId: CELLS[0]!.cellId, key: key('base') },
    ])
    expect(view.staticEntries.filter((e) => e.kind === 'phase')).toHaveLength(1)
  })
})

describe('warnings of the run', () => {
  it('keeps every distinct warning in order, as the line reporter prints it, past the log tail', () => {
    const events: RunEvent[] = [start, { type: 'log', level: 'warn', message: 'first' }]
    for (let i = 0; i < 10; i++) events.push({ type: 'log', level: 'info', message: `info ${i}` })
    events.push({ type: 'log', level: 'warn', message: 'second', cellId: CELLS[1]!.cellId })
    events.push({ type: 'log', level: 'warn', message: 'first' })
    events.push({ type: 'log', level: 'error', message: 'an error' })
    const view = fold(events)
    // The live tail has long dropped the first warning.
    expect(view.logs.every((l) => l.seq > 0)).toBe(true)
    expect(view.warnings).toEqual(['warn: first', 'warn [sft]: second'])
  })
})

describe('fitLiveRegion', () => {
  const cell = (i: number, spark: boolean): CellView => ({
    cellId: `c${i}`,
    label: `c${i}`,
    status: 'running',
    inPlan: true,
    phase: 'train',
    done: 1,
    total: 2,
    phaseStartedAt: 0,
    updatedAt: 0,
    losses: spark ? [2, 1] : [],
    stepsSeen: false,
  })
  const own = (c: CellView) => c.losses.length >= 2

  it('never takes more than rows − 1 lines: pending rows go first, then log lines, then sparkline lines, then running rows', () => {
    const cells = [cell(0, true), cell(1, true), cell(2, false), { ...cell(3, false), status: 'pending' as const, phase: undefined }]
    for (let rows = 1; rows <= 30; rows++) {
      const region = fitLiveRegion(cells, { rows, logs: 4, ownSparkLine: own })
      expect(region.height, `rows ${rows}`).toBeLessThanOrEqual(Math.max(1, rows - 1))
    }
    expect(fitLiveRegion(cells, { rows: 40, logs: 4, ownSparkLine: own })).toMatchObject({ logs: 4, sparkLines: true, hidden: 0, height: 11 })
    // 1 status + 3 running rows + 2 sparkline lines + the more line = 7 at 9 rows (8 lines): one log line left.
    expect(fitLiveRegion(cells, { rows: 9, logs: 4, ownSparkLine: own })).toMatchObject({ logs: 1, sparkLines: true, hidden: 1, moreLine: true, height: 8 })
    expect(fitLiveRegion(cells, { rows: 6, logs: 4, ownSparkLine: own })).toMatchObject({ logs: 0, sparkLines: false, hidden: 1, height: 5 })
    expect(fitLiveRegion(cells, { rows: 4, logs: 4, ownSparkLine: own })).toMatchObject({ logs: 0, sparkLines: false, hidden: 3, moreLine: true, height: 3 })
    expect(fitLiveRegion(cells, { rows: 2, logs: 4, ownSparkLine: own })).toMatchObject({ hidden: 4, moreLine: false, height: 1 })
  })

  it('on a roomy screen keeps the log tail and the sparklines, and caps the pending rows', () => {
    const cells = [
      ...Array.from({ length: 2 }, (_, i) => cell(i, true)),
      ...Array.from({ length: 30 }, (_, i) => ({ ...cell(i + 2, false), status: 'pending' as const })),
    ]
    const region = fitLiveRegion(cells, { rows: 24, logs: 4, ownSparkLine: own })
    expect(region).toMatchObject({ logs: 4, sparkLines: true, moreLine: true, height: 23 })
    expect(region.shown).toHaveLength(23 - 1 - 4 - 2 - 1)
  })
})
