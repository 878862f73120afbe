import { BenchError } from '../errors.js'
import type { ReporterPlugin } from '../plugin-api/reporter.js'
import { type RunMatrixOptions, type RunOutcome, runMatrix } from '../run/run-matrix.js'
import type { RunSetup } from '../run/setup.js'
import { renderCurves, renderResultsTable, resultRows } from './render-results.js'
import { createRunOutput } from './run-output.js'

/** The file reports `bench run` and `bench eval` write unless `--no-reports`. */
const DEFAULT_REPORTS = ['json', 'markdown', 'html']

/**
 * Runs a matrix from the CLI: Ctrl-C handling (first: clean stop, journal kept; a second one more
 * than a second later: exit at once), the live UI or plain lines, the config's reporters plus the
 * default file reports, and the final tables and curves. Sets exit code 130 when interrupted.
 */
export async function executeRun(setup: RunSetup, opts: { tui: boolean; reports: boolean } & Pick<RunMatrixOptions, 'resumeDir' | 'checkpoint'>): Promise<RunOutcome> {
  const { config, registry } = setup
  const controller = new AbortController()
  // A second signal within a second is the same keypress arriving twice (from the terminal and
  // forwarded by bin/bench.js).
  let firstInterrupt = 0
  const onSignal = () => {
    if (firstInterrupt === 0) {
      firstInterrupt = Date.now()
      controller.abort(new BenchError('BENCH_ABORTED', 'interrupted'))
    } else if (Date.now() - firstInterrupt > 1000) process.exit(130)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const output = await createRunOutput({ tui: opts.tui })
  const reporters = registry.list().filter((e) => e.plugin.kind === 'reporter').map((e) => e.plugin as ReporterPlugin)
  if (opts.reports) {
    for (const name of DEFAULT_REPORTS) {
      if (registry.has(name) && !reporters.some((r) => r.name.endsWith(`:${name}`))) reporters.push(registry.get('reporter', name))
    }
  }
  try {
    const outcome = await runMatrix({
      config, registry, resumeDir: opts.resumeDir, checkpoint: opts.checkpoint, listeners: [output.onEvent], reporters,
      signal: controller.signal, argv: process.argv.slice(2), cwd: process.cwd(),
    })
    await output.close()
    if (outcome.results.length > 0) {
      // Seed-pooled rows use the run's bootstrap size, as results.json does (same seed: same CIs).
      const rows = resultRows(outcome.results, { resamples: config.eval.bootstrap })
      process.stdout.write(`\n${renderResultsTable(rows)}\n\n${renderCurves(rows, { color: Boolean(process.stdout.isTTY) })}\n`)
    }
    process.stdout.write(`\nrun directory: ${outcome.runDir}\n`)
    // The live UI and the line reporter have already printed the --resume command.
    if (outcome.interrupted) process.exitCode = 130
    return outcome
  } finally {
    await output.close()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}
