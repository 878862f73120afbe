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
  /**
   * Called for every event, in order. Must not throw or reject: a failure stops the run with
   * BENCH_PLUGIN_CONTRACT naming the reporter, the hook and the event (results already journaled
   * stay); the reporter gets no further events.
   */
  onEvent?(event: RunEvent): void | Promise<void>
  /**
   * Called once after `run:end`, e.g. to write files into the run directory. A failure does not
   * stop the other reporters' onRunEnd; the run then fails with BENCH_PLUGIN_CONTRACT naming it.
   */
  onRunEnd?(ctx: ReportContext): void | Promise<void>
}
