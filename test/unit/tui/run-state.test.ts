import { describe, expect, it, vi } from 'vitest'
import { initialRunView, liveCells, LOSS_HISTORY, reduceRunView } from '../../../cli/tui/run-state.js'
import { createRunStore } from '../../../cli/tui/run-store.js'
import { CELLS, scriptedRun } from '../../fixtures/tui/run-events.js'
import { viewAfter } from '../../ui/frame-text.js'

describe('reduceRunView', () => {
  it('never mutates the view it is given', () => {
    const { events } = scriptedRun()
    let view = initialRunView()
    for (const { at, event } of events) {
      const before = JSON.stringify(view)
      const next = reduceRunView(view, event, at)
      expect(JSON.stringify(view)).toBe(before)
      view = next
    }
  })

  it('tracks phases and progress mid-run, running cells first', () => {
    const { events, mid } = scriptedRun()
    const view = viewAfter(events, mid)
    expect(liveCells(view).map((c) => [c.label, c.status, c.phase, c.done, c.total])).toEqual([
      ['sft', 'running', 'sample', 32, 64],
      ["bon-rl N'=4", 'running', 'train', 12, 20],
      ['rl', 'pending', undefined, 0, 0],
    ])
    expect(view.staticEntries.map((e) => e.id)).toEqual(['banner:run-ui-1', `done:${CELLS[0]!.cellId}`])
  })

  it('keeps each training loss once, preferring train:step over progress', () => {
    const { events, mid } = scriptedRun()
    const bonrl = viewAfter(events, mid).cells[CELLS[2]!.cellId]!
    expect(bonrl.losses).toEqual([2.0, 1.8, 1.5, 1.3, 1.2, 1.0, 0.9, 0.7, 0.6, 0.5, 0.45, 0.4])
  })

  it('bounds the loss history and the log tail', () => {
    let view = reduceRunView(
      initialRunView(),
      { type: 'run:start', runId: 'r', runDir: '/r', resumed: false, plan: { cells: CELLS, samplesToDraw: 1, estimatedSeconds: 1 } },
      0,
    )
    for (let i = 0; i < 200; i++) {
      view = reduceRunView(view, { type: 'train:step', cellId: CELLS[1]!.cellId, phase: 'train', log: { step: i, loss: i, gradNorm: 0 } }, i)
      view = reduceRunView(view, { type: 'log', level: 'info', message: `line ${i}` }, i)
    }
    const losses = view.cells[CELLS[1]!.cellId]!.losses
    expect(losses).toHaveLength(LOSS_HISTORY)
    expect(losses.at(-1)).toBe(199)
    expect(view.logs.map((l) => l.message)).toEqual(['line 196', 'line 197', 'line 198', 'line 199'])
    expect(view.logCount).toBe(200)
  })

  it('gives a row to a cell id outside the plan (shared pretraining)', () => {
    let view = reduceRunView(
      initialRunView(),
      { type: 'run:start', runId: 'r', runDir: '/r', resumed: false, plan: { cells: CELLS, samplesToDraw: 1, estimatedSeconds: 1 } },
      0,
    )
    view = reduceRunView(view, { type: 'phase', cellId: 'base', phase: 'pretrain', total: 100 }, 10)
    expect(liveCells(view)[0]).toMatchObject({ cellId: 'base', label: 'base', phase: 'pretrain', status: 'running', inPlan: false })
    // It never gets a cell:end: completing its phase retires it to a static line.
    view = reduceRunView(view, { type: 'progress', cellId: 'base', phase: 'pretrain', done: 100, total: 100, loss: 0.25 }, 1010)
    expect(liveCells(view).map((c) => c.cellId)).not.toContain('base')
    expect(view.staticEntries.at(-1)).toMatchObject({ kind: 'phase', label: 'base', phase: 'pretrain', total: 100, loss: 0.25, wallMs: 1000 })
    view = reduceRunView(view, { type: 'phase', cellId: 'base', phase: 'prepare', total: 3 }, 1020)
    expect(liveCells(view)[0]).toMatchObject({ cellId: 'base', phase: 'prepare', status: 'running' })
  })

  it('puts reused cells of a resumed run in the static list', () => {
    const { events } = scriptedRun()
    const base = events.find((e) => e.event.type === 'cell:end')!.event
    if (base.type !== 'cell:end') throw new Error('fixture changed')
    let view = reduceRunView(
      initialRunView(),
      { type: 'run:start', runId: 'r', runDir: '/r', resumed: true, plan: { cells: CELLS, samplesToDraw: 1, estimatedSeconds: 1 } },
      0,
    )
    view = reduceRunView(view, { type: 'cell:skip', cellId: base.cellId, key: base.key, result: base.result }, 1)
    expect(view.staticEntries.at(-1)).toMatchObject({ kind: 'cell', status: 'skipped', label: 'base' })
    expect(view.cells[base.cellId]!.status).toBe('skipped')
  })
})

describe('createRunStore', () => {
  it('publishes structural events at once and coalesces frequent ones', () => {
    // Fake timers: the coalescing window is advanced exactly, no real timer is raced.
    vi.useFakeTimers()
    try {
      const store = createRunStore({ now: () => 0, coalesceMs: 20 })
      let published = 0
      store.subscribe(() => published++)
      const { events } = scriptedRun()
      store.dispatch(events[0]!.event)
      expect(published).toBe(1)
      const progress = events.slice(1, 8).filter(({ event }) => event.type === 'progress')
      expect(progress.length).toBeGreaterThan(1)
      for (const { event } of progress) store.dispatch(event)
      const before = published
      vi.advanceTimersByTime(19)
      expect(published).toBe(before)
      vi.advanceTimersByTime(1)
      expect(published).toBe(before + 1)
      expect(store.getSnapshot().lastEventAt).toBe(0)
      store.flush()
      expect(published).toBe(before + 1)
    } finally {
      vi.useRealTimers()
    }
  })

  it('ticks its clock while a run is live, and only then', () => {
    let clock = 100
    const store = createRunStore({ now: () => clock, coalesceMs: 0 })
    store.tick()
    expect(store.getSnapshot().now).toBe(0)
    const { events } = scriptedRun()
    store.dispatch(events[0]!.event)
    clock = 4100
    store.tick()
    expect(store.getSnapshot()).toMatchObject({ now: 4100, lastEventAt: 100 })
  })
})
