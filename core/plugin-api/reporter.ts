import type { PluginBase } from './common.js'
import type { RunEvent } from '../events.js'
import type { CellResult } from './results.js'

/** Handed to `reporter.onRunEnd`. */
export interface ReportContext {
  runDir: string
  results: CellResult[]
  interrupted: boolean
}

/** A reporter: consumes the closed event union; never reaches into the core. */
export interface ReporterPlugin extends PluginBase<'reporter'> {
  kind: 'reporter'
  /** Called for every event, in order. Must not throw (errors are logged and ignored). */
  onEvent?(event: RunEvent): void | Promise<void>
  /** Called once after `run:end`, e.g. to write files into the run directory. */
  onRunEnd?(ctx: ReportContext): void | Promise<void>
}
