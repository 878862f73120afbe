import type { PluginKind } from '../plugin-api/common.js'
import { settleWithin } from '../deadline.js'

/** One broken promise of the plugin contract: which check found it and what is wrong. */
export interface ContractProblem {
  /** Stable kebab-case id of the check (e.g. `clone-independent`); tests match on it. */
  check: string
  /** What was expected and what the plugin did instead. */
  message: string
}

/**
 * What a contract tester returns: results are data (an empty `problems` list means the plugin
 * keeps its contract). `passed` lists the checks that ran and found nothing, `skipped` those that
 * could not run for this plugin (an optional hook it does not implement) and why.
 */
export interface ContractReport {
  plugin: string
  kind: PluginKind
  problems: ContractProblem[]
  passed: string[]
  skipped: Array<{ check: string; reason: string }>
}

const MAX_PER_CHECK = 12

/**
 * The check id of a mistake in the contract test itself rather than in the plugin: a `skip` name
 * that is not a check, a key of a case's `expect` that is not an expectation.
 */
export const CONTRACT_TEST_CHECK = 'contract-test'

/** The checks every tester runs first on the plugin object (plugin-shape.ts), and the lifecycle checks (lifecycle-checks.ts). */
export const SHAPE_CHECKS = ['shape', 'kind', 'name'] as const
export const LIFECYCLE_CHECKS = ['lifecycle-setup', 'lifecycle-dispose', 'lifecycle-reuse'] as const

/** Reports a problem of the check that is running. */
export type FailFn = (message: string) => void

/**
 * Collects the outcome of each check while a tester runs. A check that throws is recorded as a
 * problem (`threw …`), so one broken hook never stops the other checks.
 */
export class ContractCollector {
  private readonly problems: ContractProblem[] = []
  private readonly passed: string[] = []
  private readonly skipped: Array<{ check: string; reason: string }> = []

  constructor(
    private readonly plugin: string,
    private readonly kind: PluginKind,
    private readonly leaveOut: ReadonlySet<string> = new Set(),
  ) {}

  /**
   * Reports each name the caller asked to leave out (`skip`) that is not one of `checks`, the
   * tester's check ids: a misspelt name would otherwise leave out nothing, silently. Recorded under
   * {@link CONTRACT_TEST_CHECK} (a mistake of the contract test, not of the plugin).
   */
  checkLeaveOut(checks: readonly string[]): void {
    for (const name of this.leaveOut)
      if (!checks.includes(name))
        this.fail(
          CONTRACT_TEST_CHECK,
          `skip: '${name}' is not a check of the ${this.kind} contract tester, so nothing was left out for it; its checks are ${checks.join(', ')}`,
        )
  }

  /** Records a problem under `check` (the check is then not listed as passed). */
  fail(check: string, message: string): void {
    this.problems.push({ check, message })
  }

  /** Records that `check` did not run and why. */
  skip(check: string, reason: string): void {
    this.skipped.push({ check, reason })
  }

  /**
   * Runs one check; `body` reports problems through `fail`. Returns true when the check found
   * nothing (or was left out by the caller). Exceptions (and rejections) become a problem of this check.
   */
  async run(check: string, body: (fail: FailFn) => void | Promise<void>): Promise<boolean> {
    if (this.leaveOut.has(check)) {
      this.skip(check, 'left out by the caller')
      return true
    }
    const before = this.problems.length
    let count = 0
    // A broken hook tends to break every row the same way: keep the report readable.
    const fail: FailFn = (message) => {
      count++
      if (count <= MAX_PER_CHECK) this.fail(check, message)
    }
    try {
      await body(fail)
    } catch (error) {
      this.fail(check, `threw ${describeError(error)}`)
    }
    if (count > MAX_PER_CHECK) this.fail(check, `… and ${count - MAX_PER_CHECK} more problem(s) of this check`)
    const ok = this.problems.length === before
    if (ok) this.passed.push(check)
    return ok
  }

  /** The report so far (copies). */
  report(): ContractReport {
    return { plugin: this.plugin, kind: this.kind, problems: [...this.problems], passed: [...this.passed], skipped: [...this.skipped] }
  }
}

/** `Name: message` of an error (plus its code where it has one), one line, capped. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    const text = `${error.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${error.message}`
    return text.length > 300 ? `${text.slice(0, 300)}…` : text
  }
  return `a non-Error value (${String(error).slice(0, 100)})`
}

/** A readable multi-line summary of a report: one line per problem, then what was skipped. */
export function formatContractReport(report: ContractReport): string {
  const head = `${report.plugin} (${report.kind}): ${report.problems.length === 0 ? 'keeps its contract' : `${report.problems.length} problem(s)`} — ${report.passed.length} check(s) passed`
  const problems = report.problems.map((p) => `  ✗ ${p.check}: ${p.message}`)
  const skipped = report.skipped.map((s) => `  - skipped ${s.check}: ${s.reason}`)
  return [head, ...problems, ...skipped].join('\n')
}

/**
 * Throws a plain Error listing every problem when the report has any; returns the report
 * otherwise. For plugin authors' tests: `assertContract(await checkModelContract(plugin, opts))`
 * fails the test with a readable list in any test runner.
 */
export function assertContract(report: ContractReport): ContractReport {
  if (report.problems.length > 0) throw new Error(formatContractReport(report))
  return report
}

/**
 * Settles `promise` or rejects after `ms` with an Error naming `what`: a hanging hook becomes a
 * problem of its check instead of hanging the tester.
 */
export async function within<T>(ms: number, what: string, promise: Promise<T> | T): Promise<T> {
  return await settleWithin(promise, ms, () => new Error(`${what} did not settle within ${ms} ms`))
}
