import { settleWithin } from './deadline.js'
import { BenchError } from './errors.js'

/** The environment variable that sets how long a config or plugin import may take, in seconds. */
export const IMPORT_TIMEOUT_ENV = 'BONBENCH_IMPORT_TIMEOUT'

/** The default deadline of a config or plugin import, in seconds. */
export const DEFAULT_IMPORT_TIMEOUT_S = 30

/**
 * The import deadline in milliseconds: `BONBENCH_IMPORT_TIMEOUT` (seconds, > 0) when set, else
 * 30 s. An environment variable, not a config key: the config file is itself imported under it.
 */
export function importDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[IMPORT_TIMEOUT_ENV]
  if (raw === undefined || raw.trim() === '') return DEFAULT_IMPORT_TIMEOUT_S * 1000
  const seconds = Number(raw)
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new BenchError(
      'BENCH_USAGE',
      `${IMPORT_TIMEOUT_ENV}=${raw} is not a number of seconds > 0 (the deadline of a config or plugin import; default ${DEFAULT_IMPORT_TIMEOUT_S}).`,
    )
  }
  return seconds * 1000
}

/**
 * Settles as `work` does, or rejects with BENCH_IMPORT_TIMEOUT naming `what` (a file or package)
 * when it has not settled within the deadline. The timer holds the process open meanwhile: a
 * module whose top-level await never settles would otherwise let Node exit 13 without a word.
 */
export async function withImportDeadline<T>(work: Promise<T>, what: string, ms = importDeadlineMs()): Promise<T> {
  return await settleWithin(
    work,
    ms,
    () =>
      new BenchError(
        'BENCH_IMPORT_TIMEOUT',
        `Loading ${what} did not finish within ${ms / 1000} s (a top-level await that never settles, or a factory that never returns?). ` +
          `Fix the module, or give it more time with ${IMPORT_TIMEOUT_ENV}=<seconds>.`,
      ),
  )
}
