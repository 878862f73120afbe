import type { Phase, RunEvent } from '../../core/events.js'
import type { CellKey, CellMetrics, CellResult } from '../../core/plugin-api/results.js'
import { cellLabel, varyingAxes, type VaryingAxes } from '../../core/summary/cell-label.js'

/** Where a cell stands, as the UI shows it. */
export type CellStatus = 'pending' | 'running' | 'done' | 'skipped' | 'error'

/** How many training losses a row keeps for its sparkline. */
export const LOSS_HISTORY = 64

/** How many log lines the log tail keeps. */
export const LOG_TAIL = 4

/** One matrix cell in the live region. */
export interface CellView {
  cellId: string
  key?: CellKey
  label: string
  status: CellStatus
  /** False for rows that are not plan cells (e.g. a shared pretraining step). */
  inPlan: boolean
  phase?: Phase
  done: number
  total: number
  /** Clock time when the current phase began (rate and ETA are measured from it). */
  phaseStartedAt: number
  /** Clock time of the last progress in the current phase. */
  updatedAt: number
  loss?: number
  accuracy?: number
  /** The last LOSS_HISTORY training losses, oldest first. */
  losses: number[]
  /** True once a `train:step` arrived: from then on only steps feed the sparkline. */
  stepsSeen: boolean
}

/** A line kept above the live region (ink `<Static>`): written once, never redrawn. */
export type StaticEntry =
  | { kind: 'banner'; id: string; runId: string; runDir: string; cells: number; samplesToDraw: number; estimatedSeconds: number; resumed: boolean }
  | { kind: 'cell'; id: string; cellId: string; label: string; status: 'done' | 'skipped'; metrics: CellMetrics; wallMs: number }
  | { kind: 'error'; id: string; cellId: string; label: string; message: string }
  /** A phase of a row outside the plan (e.g. the shared pretraining) that completed. */
  | { kind: 'phase'; id: string; cellId: string; label: string; phase: Phase; total: number; loss?: number; wallMs: number }

/** One line of the log tail. */
export interface LogEntry {
  seq: number
  level: 'info' | 'warn' | 'error'
  message: string
  label?: string
}

/** Everything the UI draws, derived from run events only. Immutable: each event gives a new object. */
export interface RunView {
  runId?: string
  runDir?: string
  resumed: boolean
  startedAt?: number
  /** Clock time of the latest event. */
  lastEventAt: number
  /** Clock time of this snapshot: the latest event or clock tick (elapsed times and ETAs run to it). */
  now: number
  /** Plan order of cell ids, then rows that appeared outside the plan. */
  order: string[]
  cells: Readonly<Record<string, CellView>>
  axes: VaryingAxes
  staticEntries: StaticEntry[]
  logs: LogEntry[]
  logCount: number
  /**
   * Every distinct warning of the run, in order, as the line reporter prints it
   * (`warn [<cell>]: <message>`): printed again once the UI is gone, since the log tail goes with it.
   */
  warnings: string[]
  end?: { interrupted: boolean; wallMs: number; results: CellResult[] }
}

/** The state before any event. */
export function initialRunView(): RunView {
  return { resumed: false, lastEventAt: 0, now: 0, order: [], cells: {}, axes: varyingAxes([]), staticEntries: [], logs: [], logCount: 0, warnings: [] }
}

/**
 * Advances the view's clock without an event (the UI ticks once a second, so elapsed times and
 * ETAs move while a long phase sends nothing). Returns `view` itself before the run starts and
 * after it ends.
 */
export function tickRunView(view: RunView, now: number): RunView {
  return view.startedAt === undefined || view.end ? view : { ...view, now }
}

/**
 * Folds one event into the view. Pure: returns a new view and never mutates `view`; `now` is
 * the clock reading for this event (rates and ETAs use it). Unknown cell ids get a row of their own.
 */
export function reduceRunView(view: RunView, event: RunEvent, now: number): RunView {
  const next: RunView = { ...view, lastEventAt: now, now }
  switch (event.type) {
    case 'run:start': {
      const axes = varyingAxes(event.plan.cells.map((c) => c.key))
      const cells: Record<string, CellView> = {}
      for (const c of event.plan.cells) cells[c.cellId] = newCell(c.cellId, c.key, cellLabel(c.key, axes), true, now)
      const banner: StaticEntry = {
        kind: 'banner',
        id: `banner:${event.runId}`,
        runId: event.runId,
        runDir: event.runDir,
        cells: event.plan.cells.length,
        samplesToDraw: event.plan.samplesToDraw,
        estimatedSeconds: event.plan.estimatedSeconds,
        resumed: event.resumed,
      }
      return {
        ...next,
        runId: event.runId,
        runDir: event.runDir,
        resumed: event.resumed,
        startedAt: now,
        axes,
        cells,
        order: event.plan.cells.map((c) => c.cellId),
        staticEntries: [...view.staticEntries, banner],
      }
    }
    case 'cell:start':
      return withCell(retireOutsideRows(next, event.cellId, now), event.cellId, now, event.key, (c) => ({ ...c, status: 'running' }))
    case 'phase':
      return withCell(retireOutsideRows(next, event.cellId, now), event.cellId, now, undefined, (c) => ({
        ...c,
        status: c.status === 'pending' || (!c.inPlan && c.status === 'done') ? 'running' : c.status,
        phase: event.phase,
        done: 0,
        total: event.total,
        phaseStartedAt: now,
        updatedAt: now,
        accuracy: undefined,
      }))
    case 'progress': {
      const after = withCell(next, event.cellId, now, undefined, (c) => {
        const samePhase = c.phase === event.phase
        const cell: CellView = {
          ...c,
          status: c.status === 'pending' ? 'running' : c.status,
          phase: event.phase,
          done: Math.min(event.done, event.total),
          total: event.total,
          updatedAt: now,
          phaseStartedAt: samePhase ? c.phaseStartedAt : now,
        }
        if (event.loss !== undefined) {
          cell.loss = event.loss
          if (!c.stepsSeen) cell.losses = appendLoss(c.losses, event.loss)
        }
        if (event.accuracy !== undefined) cell.accuracy = event.accuracy
        return cell
      })
      const cell = after.cells[event.cellId]!
      // Rows outside the plan never get a cell:end: a completed phase retires them to the static
      // lines (a later phase event brings the row back).
      if (cell.inPlan || cell.status !== 'running' || event.done < event.total) return after
      const entry: StaticEntry = {
        kind: 'phase',
        id: `phase:${event.cellId}:${after.staticEntries.length}`,
        cellId: event.cellId,
        label: cell.label,
        phase: event.phase,
        total: event.total,
        loss: cell.loss,
        wallMs: now - cell.phaseStartedAt,
      }
      return {
        ...after,
        cells: { ...after.cells, [event.cellId]: { ...cell, status: 'done' } },
        staticEntries: [...after.staticEntries, entry],
      }
    }
    case 'train:step':
      return withCell(next, event.cellId, now, undefined, (c) => ({
        ...c,
        loss: event.log.loss,
        // The first step replaces losses taken from progress events, so none is counted twice.
        losses: appendLoss(c.stepsSeen ? c.losses : [], event.log.loss),
        stepsSeen: true,
      }))
    case 'cell:end':
    case 'cell:skip': {
      const metrics = event.type === 'cell:end' ? event.metrics : event.result.metrics
      const status = event.type === 'cell:end' ? 'done' : 'skipped'
      const after = withCell(event.type === 'cell:skip' ? retireOutsideRows(next, event.cellId, now) : next, event.cellId, now, event.key, (c) => ({
        ...c,
        status,
      }))
      const entry: StaticEntry = {
        kind: 'cell',
        id: `${status}:${event.cellId}`,
        cellId: event.cellId,
        label: after.cells[event.cellId]!.label,
        status,
        metrics,
        wallMs: event.result.compute.wallMs,
      }
      return { ...after, staticEntries: [...after.staticEntries, entry] }
    }
    case 'cell:error': {
      const after = withCell(next, event.cellId, now, event.key, (c) => ({ ...c, status: 'error' }))
      const entry: StaticEntry = {
        kind: 'error',
        id: `error:${event.cellId}:${after.staticEntries.length}`,
        cellId: event.cellId,
        label: after.cells[event.cellId]!.label,
        message: event.message,
      }
      return { ...after, staticEntries: [...after.staticEntries, entry] }
    }
    case 'log': {
      const label = event.cellId ? (view.cells[event.cellId]?.label ?? event.cellId) : undefined
      const entry: LogEntry = { seq: view.logCount, level: event.level, message: event.message, label }
      const warning = event.level === 'warn' ? `warn${label ? ` [${label}]` : ''}: ${event.message}` : undefined
      return {
        ...next,
        logs: [...view.logs, entry].slice(-LOG_TAIL),
        logCount: view.logCount + 1,
        warnings: warning === undefined || view.warnings.includes(warning) ? view.warnings : [...view.warnings, warning],
      }
    }
    case 'run:end':
      return {
        ...next,
        runId: event.runId,
        runDir: event.runDir,
        end: { interrupted: event.interrupted, wallMs: event.wallMs, results: event.results },
      }
  }
}

/** Rows the live region shows: running cells first, then pending ones, in plan order. */
export function liveCells(view: RunView): CellView[] {
  const cells = view.order.map((id) => view.cells[id]!)
  return [...cells.filter((c) => c.status === 'running'), ...cells.filter((c) => c.status === 'pending')]
}

/**
 * Retires the running rows outside the plan (the shared pretraining, the selector's preparation)
 * once the run has moved on — another row's phase starts, or a plan cell starts or is reused — to
 * the static lines, as a completed phase does. Some of them never get a final progress event: a
 * base model loaded from the cache or a checkpoint (total 0), a selector's prepare() (total 1).
 */
function retireOutsideRows(view: RunView, movedTo: string, now: number): RunView {
  const stale = view.order.filter((id) => id !== movedTo && !view.cells[id]!.inPlan && view.cells[id]!.status === 'running')
  if (stale.length === 0) return view
  const cells = { ...view.cells }
  const staticEntries = [...view.staticEntries]
  for (const id of stale) {
    const cell = cells[id]!
    cells[id] = { ...cell, status: 'done' }
    if (cell.phase === undefined) continue
    staticEntries.push({
      kind: 'phase',
      id: `phase:${id}:${staticEntries.length}`,
      cellId: id,
      label: cell.label,
      phase: cell.phase,
      total: cell.total,
      loss: cell.loss,
      wallMs: now - cell.phaseStartedAt,
    })
  }
  return { ...view, cells, staticEntries }
}

function newCell(cellId: string, key: CellKey | undefined, label: string, inPlan: boolean, now: number): CellView {
  return { cellId, key, label, status: 'pending', inPlan, done: 0, total: 0, phaseStartedAt: now, updatedAt: now, losses: [], stepsSeen: false }
}

function withCell(view: RunView, cellId: string, now: number, key: CellKey | undefined, update: (c: CellView) => CellView): RunView {
  const existing = view.cells[cellId]
  const base = existing ?? newCell(cellId, key, key ? cellLabel(key, view.axes) : cellId, false, now)
  const cell = update(base)
  return {
    ...view,
    cells: { ...view.cells, [cellId]: cell },
    order: existing ? view.order : [...view.order, cellId],
  }
}

function appendLoss(losses: number[], loss: number): number[] {
  if (!Number.isFinite(loss)) return losses
  const out = losses.length >= LOSS_HISTORY ? losses.slice(1 - LOSS_HISTORY) : losses.slice()
  out.push(loss)
  return out
}
