/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The pragmas keep the automatic JSX runtime when tsx runs from a folder without our tsconfig.
import { render, useStderr } from 'ink'
import type { RunEvent } from '../../core/events.js'
import { formatSummaryTable, summarizeResults } from '../../core/summary/summary-table.js'
import { resumeHint } from '../../core/summary/resume-hint.js'
import { App } from './App.js'
import { createRunStore } from './run-store.js'
import { withoutColor } from './color.js'

/** Options of {@link mountTui}. */
export interface MountTuiOptions {
  /** Where the UI draws (default process.stdout). */
  stdout?: NodeJS.WriteStream
  /** Handed to ink; the UI never reads it and never puts it in raw mode (default process.stdin). */
  stdin?: NodeJS.ReadStream
  /** Where ink writes errors (default process.stderr). */
  stderr?: NodeJS.WriteStream
  /** The clock for rates, ETAs and elapsed time (default Date.now). */
  now?: () => number
  /** Fixed width and height instead of the terminal's (tests). */
  columns?: number
  rows?: number
  /** Ink's debug mode: every frame written in full, no redraw in place (tests). */
  debug?: boolean
  /** Let ink route console output above the UI (default true; vitest's console cannot be patched). */
  patchConsole?: boolean
  /** Publish at most this often for frequent events (default 50 ms; 0: every event). */
  coalesceMs?: number
  /** The UI's own clock: redraw elapsed times and ETAs this often without events (default 1000 ms; 0: off). */
  tickMs?: number
  /** Draw in colour (default true); false strips every colour and style code (NO_COLOR, see colorEnabled). */
  color?: boolean
}

/** A mounted UI: feed it run events; it unmounts itself after `run:end`. */
export interface TuiHandle {
  /** Folds one run event into the UI; never throws. After `run:end` the UI draws its last frame and unmounts. */
  onEvent(event: RunEvent): void
  /** Resolves once the UI has unmounted and its last frame is written. */
  waitUntilExit(): Promise<void>
  /** Unmounts now (e.g. when the run fails before `run:end`); safe to call twice. */
  unmount(): void
  /**
   * Shows `line` to the user at once, on stderr above the live rows (ink's stderr writer: the
   * next frame redraws below it instead of over it); straight to stderr once the UI is gone.
   */
  notice(line: string): void
}

/**
 * Mounts the live terminal UI. Call it only when {@link shouldUseTui} says so. It does not
 * handle Ctrl-C: it never enables raw mode and passes `exitOnCtrlC: false`, so the terminal still
 * delivers SIGINT to the process, where the core stops the run and emits `run:end` with
 * `interrupted: true`; the UI then prints the summary and the `--resume` command.
 */
export function mountTui(options: MountTuiOptions = {}): TuiHandle {
  const store = createRunStore({ now: options.now, coalesceMs: options.coalesceMs })
  const stdout = options.color === false ? withoutColor(options.stdout ?? process.stdout) : (options.stdout ?? process.stdout)
  const stderr = options.stderr ?? process.stderr
  // ink's stderr writer, taken from inside the tree: it clears the live rows, writes, and redraws them.
  let writeAbove: ((data: string) => void) | undefined
  const StderrBridge = () => {
    writeAbove = useStderr().write
    return null
  }
  const draw = () => (
    <>
      <App view={store.getSnapshot()} columns={options.columns} rows={options.rows} />
      <StderrBridge />
    </>
  )
  // Redraw by re-rendering from the outside (synchronous in ink's legacy mode), so every
  // published state reaches the screen even when events arrive in one synchronous burst.
  const instance = render(draw(), {
    stdout,
    stdin: options.stdin ?? process.stdin,
    stderr,
    debug: options.debug ?? false,
    exitOnCtrlC: false,
    patchConsole: options.patchConsole ?? true,
  })
  const unsubscribe = store.subscribe(() => {
    if (!exited) instance.rerender(draw())
  })
  let exited = false
  let unmounting = false
  const unmount = () => {
    unmounting = true
    instance.unmount()
  }
  const tickMs = options.tickMs ?? 1000
  const clock = tickMs > 0 ? setInterval(() => store.tick(), tickMs) : undefined
  // The clock must never keep the process alive.
  clock?.unref()
  const stop = () => {
    exited = true
    clearInterval(clock)
    unsubscribe()
  }
  // Once the last frame is written: the run's warnings again, which the live log tail took with it.
  const printWarnings = () => {
    store.flush()
    const { warnings } = store.getSnapshot()
    // After a blank line: a last frame as tall as the screen ends without its newline.
    if (warnings.length > 0) stdout.write(`\n${warnings.join('\n')}\n`)
  }
  const exit = instance.waitUntilExit().then(stop, stop).then(printWarnings)
  return {
    onEvent(event) {
      if (exited) {
        // Ink is gone (unmounted early): still tell the user how the run ended.
        if (event.type === 'run:end') {
          const lines = formatSummaryTable(summarizeResults(event.results), { width: stdout.columns || 80 })
          if (event.interrupted) lines.push(...resumeHint(event.runDir))
          stdout.write(`${lines.join('\n')}\n`)
        }
        return
      }
      try {
        store.dispatch(event)
        if (event.type === 'run:end') {
          store.flush()
          unmount()
        }
      } catch (error) {
        // A UI fault must never stop the run; unmount and let the line below explain.
        unmount()
        stdout.write(`bench: the terminal UI failed (${(error as Error).message}); the run goes on without it\n`)
      }
    },
    waitUntilExit: () => exit,
    unmount,
    notice(line) {
      if (!exited && !unmounting && writeAbove) writeAbove(`${line}\n`)
      else stderr.write(`${line}\n`)
    },
  }
}
