import type { Redis } from 'ioredis'
import { BenchError, isBenchError } from '../core/errors.js'
import type { ReporterPlugin } from '../core/plugin-api/reporter.js'
import { type RunMatrixOptions, type RunOutcome, runMatrix } from '../core/run/run-matrix.js'
import type { RunSetup } from '../core/run/setup.js'
import { renderCurves, renderResultsTable, resultRows } from './render-results.js'
import { renderKlSummary } from '../core/summary/kl-summary.js'
import { createRunOutput } from './run-output.js'
import { onStopSignal, sendResumeHint, STOP_EXIT_CODES, type StopSignal } from './stop-signals.js'
import { resumeHint } from '../core/summary/resume-hint.js'
import { watchForStall } from './stall-watch.js'
import type { RunEvent } from '../core/events.js'
import { EXIT } from './exit-codes.js'
import { failureCollector, renderFailureSummary, RunStoppedError } from './run-failures.js'
import { guardRun } from './process-guards.js'
import { colorEnabled } from './tui/color.js'
import type { TerminalOutput } from './tui/terminal-output-type.js'

/** One stderr line per failed dispose (`<kind> plugin '<name>': dispose() threw: …`), each once. */
function writeDisposeErrors(lines: readonly string[]): void {
  for (const line of new Set(lines)) process.stderr.write(`bench: error: ${line}\n`)
}

/** The file reports `bench run` and `bench eval` write unless `--no-reports`. */
const DEFAULT_REPORTS = ['json', 'markdown', 'html']

/**
 * Runs a matrix from the CLI (`baseLabel` renames the base rows of the final tables: a checkpoint's path): SIGINT/SIGTERM handling, the live UI or plain lines, the config's
 * reporters plus the default file reports, and the final tables and curves.
 * The first SIGINT (Ctrl-C) or SIGTERM stops scheduling (the run's AbortSignal), lets runMatrix
 * return with the journal as written (each record is fsync'd), prints the `--resume` command and
 * sets exit code 130 (SIGINT) or 143 (SIGTERM). A second one exits at once with that code, after
 * printing the `--resume` command: the journal loses at most the record being written.
 */
export async function executeRun(
  setup: RunSetup,
  opts: {
    tui: boolean
    reports: boolean
    baseLabel?: string
    queue?: { connection: Redis; requires: string[]; shown?: string; workerTimeoutMs?: number }
  } & Pick<RunMatrixOptions, 'resumeDir' | 'checkpoint' | 'trainedCheckpoint' | 'shard'>,
): Promise<RunOutcome> {
  const { config, registry } = setup
  const controller = new AbortController()
  let stopping: StopSignal | undefined
  let runDir: string | undefined = opts.resumeDir
  let cellCount = 0
  let started = false
  const failures = failureCollector()
  // The errors the run logged (each a plugin's or model instance's dispose() that threw or did not
  // settle): printed to stderr at the end, whatever the output, since the live UI's log goes with it.
  const loggedErrors: string[] = []
  const collectErrors = (event: RunEvent) => {
    if (event.type === 'log' && event.level === 'error') loggedErrors.push(event.message)
  }
  // Until this function returns, an exit of the process is no finished run (cli/process-guards.ts).
  const guard = guardRun()
  // A queued run goes on on its queue (the jobs left there are its cells).
  const resumeFlags = opts.queue?.shown !== undefined ? `--queue ${opts.queue.shown}` : undefined
  // Set once the output is chosen; until then a signal's notice goes straight to stderr.
  const chosen: { output?: TerminalOutput } = {}
  const offSignal = onStopSignal((signal) => {
    if (stopping === undefined) {
      stopping = signal
      const notice = `bench: ${signal}: stopping after the work in flight (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again exits at once)`
      // Through the live UI when it draws: a write of its own would be drawn over by the next frame.
      if (chosen.output) chosen.output.notice(notice)
      else process.stderr.write(`\n${notice}\n`)
      controller.abort(new BenchError('BENCH_ABORTED', `interrupted by ${signal}`))
      return
    }
    if (runDir !== undefined) process.stderr.write(`${resumeHint(runDir).join('\n')}\n`)
    guard.end()
    process.exit(STOP_EXIT_CODES[stopping])
  })
  // Where the run was, for a stall's message: the cell and phase of the last progress event.
  let activity: string | undefined
  const trackRun = (event: RunEvent) => {
    if (event.type === 'run:start') {
      runDir = event.runDir
      guard.runDir = event.runDir
      started = true
      cellCount = event.plan.cells.length
      sendResumeHint(resumeHint(event.runDir))
    } else if (event.type === 'phase' || event.type === 'progress') activity = `in cell ${event.cellId} (${event.phase})`
    else if (event.type === 'cell:start') activity = `in cell ${event.cellId}`
    else if (event.type === 'run:end') activity = "in the reporters' onRunEnd"
  }
  const output = await createRunOutput({ tui: opts.tui })
  chosen.output = output
  const reporters = registry
    .list()
    .filter((e) => e.plugin.kind === 'reporter')
    .map((e) => e.plugin as ReporterPlugin)
  if (opts.reports) {
    for (const name of DEFAULT_REPORTS) {
      if (registry.has(name) && !reporters.some((r) => r.name.endsWith(`:${name}`))) reporters.push(await registry.get('reporter', name))
    }
  }
  // BullMQ and ioredis load only for a queued run: they were half of every other `bench run`'s start.
  const coordinator = opts.queue ? await import('../core/queue/coordinator.js') : undefined
  const stall = watchForStall(() => activity)
  try {
    const work = opts.queue
      ? coordinator!.runOnQueue({
          config,
          registry,
          connection: opts.queue.connection,
          requires: opts.queue.requires,
          ...(opts.queue.shown !== undefined ? { queueShown: opts.queue.shown } : {}),
          ...(opts.queue.workerTimeoutMs !== undefined ? { workerTimeoutMs: opts.queue.workerTimeoutMs } : {}),
          ...(opts.resumeDir ? { resumeDir: opts.resumeDir } : {}),
          listeners: [trackRun, failures.onEvent, collectErrors, output.onEvent],
          reporters,
          signal: controller.signal,
          argv: process.argv.slice(2),
          cwd: process.cwd(),
        })
      : runMatrix({
          config,
          registry,
          resumeDir: opts.resumeDir,
          checkpoint: opts.checkpoint,
          trainedCheckpoint: opts.trainedCheckpoint,
          ...(opts.shard ? { shard: opts.shard } : {}),
          listeners: [trackRun, failures.onEvent, collectErrors, output.onEvent],
          reporters,
          signal: controller.signal,
          argv: process.argv.slice(2),
          cwd: process.cwd(),
        })
    // A plugin hook that never settles would let Node exit 13 in silence: it stops the run instead.
    const outcome = await Promise.race([work, stall.stalled])
    await output.close()
    if (outcome.results.length > 0) {
      // Rows use the run's bootstrap size, as results.json does (same seeds: the reports' CIs).
      const rows = resultRows(outcome.results, { resamples: config.eval.bootstrap }).map((row) =>
        // A plain checkpoint (`bench eval`) stands in for the base: name it by its path.
        opts.baseLabel ? { ...row, label: row.label.replace(/^base\b/, opts.baseLabel) } : row,
      )
      // A terminal's width bounds the tables and the curves' legend; a pipe or a file gets them whole.
      const width = process.stdout.isTTY ? process.stdout.columns || undefined : undefined
      process.stdout.write(
        `\n${renderResultsTable(rows, { threshold: outcome.results[0]!.metrics.threshold, width })}\n\n${renderCurves(rows, { color: colorEnabled(), width })}\n`,
      )
      const kl = renderKlSummary(outcome.results)
      if (kl) process.stdout.write(`\n${kl}\n`)
    }
    process.stdout.write(`\nrun directory: ${outcome.runDir}\n`)
    writeDisposeErrors([...loggedErrors, ...(outcome.disposeErrors ?? [])])
    // The live UI and the line reporter printed the --resume command at run:end, above the tables
    // and curves: it is printed again, last, where it is seen.
    if (outcome.interrupted) {
      process.stdout.write(`\n${resumeHint(outcome.runDir).join('\n')}${resumeFlags ? ` ${resumeFlags}` : ''}\n`)
      process.exitCode = STOP_EXIT_CODES[stopping ?? 'SIGINT']
    } else if (failures.failed.length > 0) {
      process.stderr.write(renderFailureSummary({ failed: failures.failed, cells: cellCount, runDir: outcome.runDir, resumeFlags }))
      process.exitCode = EXIT.cellsFailed
    }
    return outcome
  } catch (error) {
    // Whatever still listens to the run's signal stops: the run will not go on.
    if (stall.fired) controller.abort(error)
    await output.close()
    writeDisposeErrors(loggedErrors)
    // Once the run directory exists, an error that stops the run is a failed run (resumable), not misuse.
    if (!started || runDir === undefined) throw error
    // Stopping on a signal, the work in flight never settled: what a second signal does.
    if (stall.fired && stopping !== undefined) {
      process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${resumeHint(runDir).join('\n')}\n`)
      guard.end()
      process.exit(STOP_EXIT_CODES[stopping])
    }
    process.stderr.write(
      renderFailureSummary({
        failed: failures.failed,
        cells: cellCount,
        runDir,
        stoppedBy: error instanceof Error ? error.message : String(error),
        ...(isBenchError(error) ? { stoppedCode: error.code } : {}),
        resumeFlags,
      }),
    )
    throw new RunStoppedError(runDir, { cause: error })
  } finally {
    await output.close()
    offSignal()
    stall.stop()
    guard.end()
  }
}
