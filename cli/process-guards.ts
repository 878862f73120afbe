import { resumeHint } from '../core/summary/resume-hint.js'
import { EXIT } from './exit-codes.js'

/** The run this process is running, while it runs: what an unexpected end of the process reports. */
interface GuardedRun {
  /** Set once the run has its directory (`run:start`): the end then says how to resume. */
  runDir?: string
}

let current: GuardedRun | undefined

/**
 * Marks a run as in progress until `end()`: an `exit` of the process meanwhile (a plugin calling
 * `process.exit`, even with 0) exits 70 and says that the run did not finish and how to resume it,
 * instead of passing for a finished run. Call `end()` before the command's own deliberate exits.
 */
export function guardRun(): GuardedRun & { end(): void } {
  const run: GuardedRun = {}
  current = run
  return Object.assign(run, {
    end() {
      if (current === run) current = undefined
    },
  })
}

function resumeLines(): string {
  return current?.runDir !== undefined ? `${resumeHint(current.runDir).join('\n')}\n` : ''
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error)
}

/**
 * Installs, once per `bench` process, what keeps every command's end explained (cli/main.ts):
 * - an error thrown from a timer or callback, or a rejected promise nobody handles (a plugin's,
 *   most likely), ends the process with exit 70 and a message saying so, plus how to resume the
 *   run in progress — not Node's bare stack and exit 1;
 * - a closed stdout or stderr (`bench run … | head`) is not an error: what is written to it is
 *   dropped and the command goes on (a run finishes and writes its files);
 * - a `process.exit` while a run is in progress ({@link guardRun}) exits 70 and says so.
 */
export function installProcessGuards(): void {
  const fail = (what: string, error: unknown) => {
    process.stderr.write(`bench: ${what} (a plugin's timer or callback, or a bug in bonbench; exit ${EXIT.internal}):\n${describe(error)}\n${resumeLines()}`)
    current = undefined
    process.exit(EXIT.internal)
  }
  process.on('uncaughtException', (error) => fail('an error was thrown outside the work the command waits for', error))
  process.on('unhandledRejection', (reason) => fail('a promise was rejected and nothing handled it', reason))
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      // The reader went away: nothing more can be shown there, and nothing is lost by dropping it.
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return
      fail(`writing to ${stream === process.stdout ? 'stdout' : 'stderr'} failed`, error)
    })
  }
  process.on('exit', () => {
    if (current === undefined) return
    process.stderr.write(
      `bench: the process was ended (process.exit, by a plugin?) before the run finished; exit ${EXIT.internal}.\n${resumeLines() || 'Nothing was run yet.\n'}`,
    )
    process.exitCode = EXIT.internal
  })
}
