import type { RunEvent } from '../core/events.js'
import { resumeCommand } from '../core/summary/resume-hint.js'

/** A cell that failed in this invocation of a run, with the error it was journaled with. */
export interface FailedCell {
  cellId: string
  message: string
  /** The BenchError code it failed with, when it was one. */
  code?: string
}

/**
 * Collects the cells that fail while a run goes on (`cell:error` events). A resumed run retries
 * every cell that failed before, so only the failures of this invocation count.
 */
export function failureCollector(): { failed: FailedCell[]; onEvent: (event: RunEvent) => void } {
  const failed: FailedCell[] = []
  return {
    failed,
    onEvent: (event) => {
      if (event.type === 'cell:error') failed.push({ cellId: event.cellId, message: event.message, ...(event.code ? { code: event.code } : {}) })
    },
  }
}

/**
 * The summary printed (on stderr) when a run ends with failed cells or stops on an error after it
 * started: each failed cell and its error, then the command that retries them (finished cells are
 * kept, failed ones run again), with `resumeFlags` after it (a queued run's `--queue <url>`). When
 * no failure is one a resume can fix — a training that diverged, a model that cannot train
 * (`stoppedCode`: the code of the error that stopped the run) — it says to start a new run instead:
 * a resume keeps the run's model, rates and settings.
 */
export function renderFailureSummary(opts: {
  failed: FailedCell[]
  cells: number
  runDir: string
  stoppedBy?: string
  stoppedCode?: string
  resumeFlags?: string
}): string {
  const lines: string[] = []
  if (opts.stoppedBy !== undefined) lines.push(`bench: ${opts.stoppedBy}`)
  if (opts.failed.length > 0) {
    lines.push(
      `bench: ${opts.stoppedBy !== undefined ? 'the run stopped; ' : ''}${opts.failed.length} of ${opts.cells} cell${opts.cells === 1 ? '' : 's'} failed:`,
    )
    for (const f of opts.failed) lines.push(`  ${f.cellId}: ${f.message === opts.stoppedBy ? '(the error above)' : f.message.split('\n').join('\n    ')}`)
  } else if (opts.stoppedBy !== undefined) lines.push('bench: the run stopped on this error.')
  const codes = [...opts.failed.map((f) => f.code), ...(opts.stoppedBy !== undefined ? [opts.stoppedCode] : [])]
  if (codes.length > 0 && codes.every((code) => code === 'BENCH_TRAINING_DIVERGED' || code === 'BENCH_MODEL_CANNOT_TRAIN')) {
    lines.push(
      codes.every((code) => code === 'BENCH_TRAINING_DIVERGED')
        ? "A resume trains at this run's learning rates and diverges again: start a new run with a lower rate."
        : "A resume keeps this run's model and settings and fails the same way: start a new run with the fix above.",
    )
    return lines.join('\n') + '\n'
  }
  lines.push(
    'Fix the cause, then finish the run (finished cells are kept, failed ones run again) with:',
    `  ${resumeCommand(opts.runDir)}${opts.resumeFlags ? ` ${opts.resumeFlags}` : ''}`,
  )
  return lines.join('\n') + '\n'
}

/**
 * Thrown by executeRun when the run stopped on an error after its run directory was made; the
 * summary is already printed, and the command exits {@link EXIT.cellsFailed}.
 */
export class RunStoppedError extends Error {
  readonly runDir: string
  constructor(runDir: string, options: { cause: unknown }) {
    super(`the run in ${runDir} stopped on an error`, options)
    this.name = 'RunStoppedError'
    this.runDir = runDir
  }
}
