import type { RunEvent, Phase, CellKey } from 'bonbench'
import {
  defineReporter,
  type PluginHooks,
  cellLabel,
  varyingAxes,
  type VaryingAxes,
  formatHeadline,
  resumeHint,
  formatSummaryTable,
  summarizeResults,
  formatCount,
  formatDuration,
  formatEstimate,
  formatRate,
  formatValue,
} from 'bonbench'
import { lineOptionsSchema, type ResolvedLineOptions, type TextSink } from './options.js'
import { ProgressThrottle } from './progress-throttle.js'

export type { LineReporterOptions, TextSink } from './options.js'

interface PhaseClock {
  phase: Phase
  startedAt: number
  loss?: number
}

/**
 * `bonbench:line`: plain progress lines for non-TTY output, `CI=true` and `--no-tui`. It prints
 * the plan at run start, each cell's start, phases, throttled progress (see ProgressThrottle),
 * log lines, errors, each cell's headline metrics, and the summary table at run end (with the
 * `--resume` command when the run was interrupted). Lines carry no colour or cursor codes, so a
 * CI log reads them as they are. Throws BENCH_PLUGIN_OPTIONS on bad options.
 */
export const lineReporter = defineReporter({
  name: 'bonbench:line',
  meta: {
    version: '0.1.0',
    description: 'Plain progress lines for CI logs and non-TTY output',
    // How often progress prints: no part of a run's results (a resume may change it).
    neutralOptions: ['intervalMs', 'step'],
  },
  options: lineOptionsSchema,
  create: lineReporterHooks,
})

function lineReporterHooks(opts: ResolvedLineOptions): PluginHooks<'reporter'> {
  const out: TextSink = opts.stream ?? process.stdout
  const now = opts.now ?? Date.now
  const throttle = new ProgressThrottle(opts.step, opts.intervalMs)
  const phases = new Map<string, PhaseClock>()
  const keys = new Map<string, CellKey>()
  let axes: VaryingAxes = varyingAxes([])
  let counts = { finished: 0, skipped: 0, failed: 0 }

  const write = (line: string): void => {
    out.write(`${line}\n`)
  }
  const label = (cellId: string): string => {
    const key = keys.get(cellId)
    return `[${key ? cellLabel(key, axes) : cellId}]`
  }

  const handlers: { [T in RunEvent['type']]: (event: Extract<RunEvent, { type: T }>) => void } = {
    'run:start': (e) => {
      for (const c of e.plan.cells) keys.set(c.cellId, c.key)
      axes = varyingAxes(e.plan.cells.map((c) => c.key))
      counts = { finished: 0, skipped: 0, failed: 0 }
      const verb = e.resumed ? 'resuming run' : 'run'
      write(
        `${verb} ${e.runId}: ${e.plan.cells.length} cells, ${formatCount(e.plan.samplesToDraw)} samples to draw, estimated ${formatEstimate(e.plan.estimatedSeconds)}`,
      )
      if (e.plan.estimateBasis) write(`estimate basis: ${e.plan.estimateBasis}`)
      write(`run dir: ${e.runDir}`)
    },
    'cell:start': (e) => {
      keys.set(e.cellId, e.key)
      write(`${label(e.cellId)} start`)
    },
    'cell:skip': (e) => {
      keys.set(e.cellId, e.key)
      counts.skipped++
      write(`${label(e.cellId)} already finished (journal): ${formatHeadline(e.result.metrics)}`)
    },
    phase: (e) => {
      const at = now()
      phases.set(e.cellId, { phase: e.phase, startedAt: at })
      throttle.reset(e.cellId, at)
      write(`${label(e.cellId)} ${e.phase} (${formatCount(e.total)})`)
    },
    progress: (e) => {
      const at = now()
      const clock = phases.get(e.cellId)
      if (e.loss !== undefined && clock) clock.loss = e.loss
      if (!throttle.shouldPrint(e.cellId, e.done, e.total, at)) return
      const pct = e.total > 0 ? Math.round((100 * e.done) / e.total) : 100
      let line = `${label(e.cellId)} ${e.phase} ${formatCount(e.done)}/${formatCount(e.total)} ${pct}%`
      if (clock && clock.phase === e.phase && at > clock.startedAt && e.done > 0) {
        const rate = (e.done * 1000) / (at - clock.startedAt)
        line += ` ${formatRate(rate)}`
        if (e.done < e.total) line += ` ETA ${formatDuration(((e.total - e.done) / rate) * 1000)}`
      }
      const loss = e.loss ?? (clock?.phase === e.phase ? clock.loss : undefined)
      if (loss !== undefined) line += ` loss ${formatValue(loss)}`
      if (e.accuracy !== undefined) line += ` acc ${formatValue(e.accuracy)}`
      write(line)
    },
    'train:step': (e) => {
      const clock = phases.get(e.cellId)
      if (clock) clock.loss = e.log.loss
    },
    'cell:end': (e) => {
      keys.set(e.cellId, e.key)
      counts.finished++
      phases.delete(e.cellId)
      write(`${label(e.cellId)} done in ${formatDuration(e.result.compute.wallMs)}: ${formatHeadline(e.metrics)}`)
    },
    'cell:error': (e) => {
      keys.set(e.cellId, e.key)
      counts.failed++
      phases.delete(e.cellId)
      write(`${label(e.cellId)} error: ${e.message}`)
    },
    log: (e) => {
      const where = e.cellId ? ` ${label(e.cellId)}` : ''
      write(`${e.level}${where}: ${e.message}`)
    },
    'run:end': (e) => {
      const how = e.interrupted ? 'interrupted' : 'finished'
      const parts = [`${counts.finished} ${counts.finished === 1 ? 'cell' : 'cells'} finished`]
      if (counts.skipped > 0) parts.push(`${counts.skipped} reused from the journal`)
      if (counts.failed > 0) parts.push(`${counts.failed} failed`)
      write(`run ${e.runId} ${how} after ${formatDuration(e.wallMs)}: ${parts.join(', ')}`)
      if (e.results.length > 0) {
        write('')
        for (const line of formatSummaryTable(summarizeResults(e.results), { width: out.columns })) write(line)
      }
      if (e.interrupted) for (const line of resumeHint(e.runDir)) write(line)
    },
  }

  return {
    // The stream and the clock are not data: the recorded options leave them out.
    options: { intervalMs: opts.intervalMs, step: opts.step },
    onEvent(event) {
      const handle = handlers[event.type] as (e: RunEvent) => void
      handle(event)
    },
  }
}
