import type { Verdict, VerifierPlugin, VerifyContext, VerifyItem } from '../plugin-api/verifier.js'
import { CONTRACT_TEST_CHECK, ContractCollector, LIFECYCLE_CHECKS, SHAPE_CHECKS, within, type ContractReport, type FailFn } from './contract-report.js'
import { garbageCompletions } from './garbage-completions.js'
import { checkPluginShape, pluginLabel } from './plugin-shape.js'
import { LifecycleHarness } from './lifecycle-checks.js'

/** What a case expects of its verdict; every field given must hold. */
export interface VerdictExpectation {
  pass?: boolean
  reason?: string
  reward?: number
  answer?: string
  /** score ≥ minScore. */
  minScore?: number
  /** score ≤ maxScore. */
  maxScore?: number
}

/** The keys a case's `expect` may hold. */
const EXPECTATION_KEYS = ['pass', 'reason', 'reward', 'answer', 'minScore', 'maxScore'] as const satisfies ReadonlyArray<keyof VerdictExpectation>

/** The check ids of {@link checkVerifierContract}: what `skip` may name. */
export const VERIFIER_CHECKS = [
  ...SHAPE_CHECKS,
  ...LIFECYCLE_CHECKS,
  'score-shape',
  'score-empty',
  'score-order',
  'expectations',
  'garbage',
  'verdict-consistent',
] as const

/** One row of a verifier's case table: a candidate and what its verdict must look like. */
export interface VerifierCase {
  /** Shown in problem messages (default: the row number). */
  name?: string
  item: VerifyItem
  expect?: VerdictExpectation
}

/** Settings of {@link checkVerifierContract}. */
export interface VerifierContractOptions {
  /** Check ids to leave out (reported as skipped). */
  skip?: readonly string[]
  /** `ctx.concurrency` of every score call (default 1). */
  concurrency?: number
  /** Candidates that must not make `score` throw (default: {@link garbageCompletions}). */
  garbage?: readonly string[]
  /** Garbage is scored against this many distinct problems of the table (default 2). */
  garbageProblems?: number
  /** Longest any single score call may take (default 60 000 ms). */
  timeoutMs?: number
}

/**
 * The verifier contract (core/plugin-api/verifier.ts) over a table of cases: `score` returns one
 * well-formed verdict per item, in order (finite `score`, non-empty `reason`, `reward` in [0, 1],
 * boolean `pass`, string `answer`), the same verdict alone as in a batch and in any batch order,
 * `[]` for an empty batch, never throws for garbage candidates, agrees with itself (with a 0/1
 * reward, `pass` is `reward === 1`), and meets each row's expectations.
 * A learned verifier must be prepared before the call. Runs in plugin authors' tests; never throws
 * for a broken plugin (problems are in the report).
 */
export async function checkVerifierContract(
  plugin: VerifierPlugin,
  cases: readonly VerifierCase[],
  opts: VerifierContractOptions = {},
): Promise<ContractReport> {
  const collector = new ContractCollector(pluginLabel(plugin), 'verifier', new Set(opts.skip))
  // Mistakes of the test itself (a misspelt skip name or expectation would check nothing, silently).
  collector.checkLeaveOut(VERIFIER_CHECKS)
  cases.forEach((c, i) => {
    if (c.expect === undefined) return
    if (c.expect === null || typeof c.expect !== 'object' || Array.isArray(c.expect))
      return collector.fail(CONTRACT_TEST_CHECK, `${c.name ?? `case ${i}`}: expect must be an object of ${EXPECTATION_KEYS.join(', ')}`)
    for (const key of Object.keys(c.expect))
      if (!(EXPECTATION_KEYS as readonly string[]).includes(key))
        collector.fail(
          CONTRACT_TEST_CHECK,
          `${c.name ?? `case ${i}`}: expect.${key} is not an expectation, so nothing checks it; expect takes ${EXPECTATION_KEYS.join(', ')}`,
        )
  })
  if (!(await checkPluginShape(plugin, 'verifier', collector))) return collector.report()
  if (cases.length === 0) throw new Error('checkVerifierContract: give at least one case')
  const ctx: VerifyContext = { concurrency: opts.concurrency ?? 1 }
  const timeoutMs = opts.timeoutMs ?? 60_000
  const score = (items: VerifyItem[]) => within(timeoutMs, `score() of ${items.length} item(s)`, plugin.score(items, ctx))
  const items = cases.map((c) => c.item)
  const label = (i: number) => cases[i]!.name ?? `case ${i}`
  const life = new LifecycleHarness(plugin, collector, opts.timeoutMs ?? 60_000)
  if (!(await life.start())) {
    await life.end()
    return collector.report()
  }
  try {
    let verdicts: Verdict[] | undefined
    // Every well-formed verdict seen, for the consistency check at the end.
    const seen: Array<{ label: string; verdict: Verdict }> = []
    await collector.run('score-shape', async (fail) => {
      const out = await score(items)
      if (checkVerdicts(out, items.length, label, fail)) {
        verdicts = out
        out.forEach((verdict, i) => seen.push({ label: label(i), verdict }))
      }
    })
    await collector.run('score-empty', async (fail) => {
      const out = await score([])
      if (!Array.isArray(out) || out.length !== 0) fail(`score([]) must resolve to [], got ${JSON.stringify(out)?.slice(0, 80)}`)
    })
    if (verdicts) {
      const batch = verdicts
      await collector.run('score-order', async (fail) => {
        const reversed = await score([...items].reverse())
        if (!checkVerdicts(reversed, items.length, label, fail)) return
        reversed.reverse().forEach((v, i) => {
          if (!sameVerdict(v, batch[i]!))
            fail(`${label(i)}: its verdict changed when the batch was reversed (${show(batch[i]!)} → ${show(v)}): verdicts must come back in item order`)
        })
        for (let i = 0; i < items.length; i++) {
          const alone = await score([items[i]!])
          if (!checkVerdicts(alone, 1, () => label(i), fail)) return
          if (!sameVerdict(alone[0]!, batch[i]!))
            fail(`${label(i)}: scored alone ${show(alone[0]!)}, in the batch ${show(batch[i]!)}: a verdict must depend only on its own item`)
        }
      })
      await collector.run('expectations', (fail) => {
        batch.forEach((v, i) => checkExpectation(v, cases[i]!.expect, label(i), fail))
      })
    } else collector.skip('expectations', 'score() did not return well-formed verdicts')

    await collector.run('garbage', async (fail) => {
      const problems = [...new Map(items.map((it) => [it.problem.id, it.problem])).values()].slice(0, opts.garbageProblems ?? 2)
      const garbage = opts.garbage ?? garbageCompletions
      for (const problem of problems) {
        const junk = garbage.map((completion) => ({ problem, completion }))
        let out: Verdict[]
        try {
          out = await score(junk)
        } catch (error) {
          // Find the first candidate that throws on its own, to name it.
          for (const item of junk) {
            const culprit = await score([item]).then(
              () => undefined,
              (e: unknown) => e,
            )
            if (culprit !== undefined)
              return fail(
                `score() threw for the garbage candidate ${JSON.stringify(item.completion.slice(0, 40))} of problem '${problem.id}' (${String((culprit as Error)?.message ?? culprit).slice(0, 160)}): return a failing verdict instead`,
              )
          }
          throw error
        }
        const junkLabel = (i: number) => `garbage ${JSON.stringify(garbage[i]!.slice(0, 30))} on '${problem.id}'`
        if (checkVerdicts(out, junk.length, junkLabel, fail)) out.forEach((verdict, i) => seen.push({ label: junkLabel(i), verdict }))
      }
    })
    await collector.run('verdict-consistent', (fail) => {
      for (const { label: where, verdict: v } of seen) {
        // With a binary reward, pass is exactly "reward 1": `bench verify` counts pass, the metrics count reward.
        if (v.pass !== undefined && (v.reward === 0 || v.reward === 1) && v.pass !== (v.reward === 1))
          fail(`${where}: pass ${v.pass} contradicts reward ${v.reward}`)
      }
    })
  } finally {
    // A learned verifier needs prepare() (a model, a task) before it scores again: setup alone is probed.
    await life.end(
      plugin.prepare
        ? undefined
        : async () => {
            const out = await plugin.score([cases[0]!.item], { concurrency: opts.concurrency ?? 1 })
            if (!Array.isArray(out) || out.length !== 1)
              throw new Error(`score() of one item returned ${Array.isArray(out) ? out.length : typeof out} verdicts`)
          },
    )
  }
  return collector.report()
}

/** Checks length and types of a score() answer; true when every verdict is well-formed. */
export function checkVerdicts(out: unknown, expected: number, label: (i: number) => string, fail: FailFn): out is Verdict[] {
  if (!Array.isArray(out)) {
    fail(`score() must resolve to an array of verdicts, got ${typeof out}`)
    return false
  }
  if (out.length !== expected) {
    fail(`score() returned ${out.length} verdicts for ${expected} items: one per item, in order`)
    return false
  }
  let ok = true
  out.forEach((v: Verdict, i) => {
    const bad = (message: string) => {
      ok = false
      fail(`${label(i)}: ${message}`)
    }
    if (!v || typeof v !== 'object') return bad('the verdict is not an object')
    if (typeof v.score !== 'number' || !Number.isFinite(v.score)) bad(`score must be a finite number, got ${String(v.score)}`)
    if (typeof v.reason !== 'string' || v.reason === '') bad(`reason must be a non-empty string, got ${JSON.stringify(v.reason)}`)
    if (v.reward !== undefined && (typeof v.reward !== 'number' || !(v.reward >= 0 && v.reward <= 1)))
      bad(`reward, when given, must be in [0, 1], got ${String(v.reward)}`)
    if (v.pass !== undefined && typeof v.pass !== 'boolean') bad(`pass, when given, must be a boolean, got ${JSON.stringify(v.pass)}`)
    for (const field of ['answer', 'messageId', 'detail'] as const) {
      if (v[field] !== undefined && typeof v[field] !== 'string') bad(`${field}, when given, must be a string`)
    }
  })
  return ok
}

function checkExpectation(v: Verdict, expect: VerdictExpectation | undefined, label: string, fail: FailFn): void {
  if (!expect) return
  const got = show(v)
  if (expect.pass !== undefined && v.pass !== expect.pass) fail(`${label}: expected pass ${expect.pass}, got ${got}`)
  if (expect.reason !== undefined && v.reason !== expect.reason) fail(`${label}: expected reason '${expect.reason}', got ${got}`)
  if (expect.reward !== undefined && v.reward !== expect.reward) fail(`${label}: expected reward ${expect.reward}, got ${got}`)
  if (expect.answer !== undefined && v.answer !== expect.answer) fail(`${label}: expected answer '${expect.answer}', got ${got}`)
  if (expect.minScore !== undefined && !(v.score >= expect.minScore)) fail(`${label}: expected score ≥ ${expect.minScore}, got ${got}`)
  if (expect.maxScore !== undefined && !(v.score <= expect.maxScore)) fail(`${label}: expected score ≤ ${expect.maxScore}, got ${got}`)
}

// Scores may differ in the last float bits with batch shape (a learned scorer's matmul); nothing else may.
function sameVerdict(a: Verdict, b: Verdict): boolean {
  return (
    close(a.score, b.score) && close(a.reward, b.reward) && a.pass === b.pass && a.reason === b.reason && a.answer === b.answer && a.messageId === b.messageId
  )
}

function close(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return a === b || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b))
}

function show(v: Verdict): string {
  return JSON.stringify({ score: v.score, reward: v.reward, pass: v.pass, reason: v.reason, answer: v.answer })
}
