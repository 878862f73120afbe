import { CommanderError } from 'commander'
import { isBenchError } from '../core/errors.js'
import { RunStoppedError } from './run-failures.js'

/**
 * bonbench's exit codes: the contract CI scripts rely on (README, "Exit codes"). A command sets
 * its status from this table (`compare` still writes its 1 and 3 as numbers).
 */
export const EXIT = {
  /** The command did all its work: every cell of a run (or resumed run, or evaluation) finished. */
  ok: 0,
  /** A check the command makes failed: `compare --fail-on-regression` found a significant regression; `rerun`: a number differs; `env --backend X`: X does not start. */
  checkFailed: 1,
  /** Misuse, whoever detects it: the argument parser, a config or flag check, a plugin that cannot load, a `--dry-run` check. */
  usage: 2,
  /** `compare`: a cell changed although code, config, plugins and data are recorded the same (not reproducible). */
  notReproducible: 3,
  /** `run`, `run --resume`, `eval`, `rerun`: the run ended but at least one cell failed (each is named, with the resume command). */
  cellsFailed: 4,
  /** An unexpected error: a bug in bonbench or in a plugin (printed with its stack). */
  internal: 70,
  /** Stopped by SIGINT (Ctrl-C); the run can be resumed. */
  sigint: 130,
  /** Stopped by SIGTERM; the run can be resumed. */
  sigterm: 143,
} as const

/**
 * The exit code of an error that ended a command: 2 for the parser's errors (commander's own
 * help and version displays keep 0) and for every BenchError (setup and misuse), 4 for a run
 * that stopped after it started (its summary already printed), 70 for the rest.
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage
  if (error instanceof RunStoppedError) return EXIT.cellsFailed
  if (isBenchError(error)) return EXIT.usage
  return EXIT.internal
}
