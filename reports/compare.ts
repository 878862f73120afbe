import { join } from 'node:path'
import { firstIds } from '../core/first-ids.js'
import type { Interval } from '../core/plugin-api/results.js'
import type { BenchmarkComparison } from './compare-benchmarks.js'
import type { ExactComparison } from './compare-exact.js'
import { compareExact } from './compare-exact.js'
import type { DetectableEffect, PrimaryRole } from './detectable-effect.js'
import { detectableEffect, mdePower, primaryMetrics } from './detectable-effect.js'
import type { ComparisonRequest } from './comparisons.js'
import { compareGroups, comparisonMetrics } from './comparisons.js'
import type { CellGroup } from './groups.js'
import { grandMean, groupCells, groupIdOf, groupKeyOf, metricMatrix, sharedPrompts } from './groups.js'
import type { CellKey } from '../core/plugin-api/results.js'
import type { CellFailure, RunData } from '../core/run/run-record.js'
import { holdsNoRecord, runFiles } from '../core/run/run-record.js'
import { BenchError } from '../core/errors.js'

/** Knobs of {@link compareRuns}. */
export interface CompareRunsOptions {
  /** A drop must exceed this many points (percentage points, 0–100) to count as a regression. Default 0. */
  threshold?: number
  /** Family-wise error rate across every cell and metric (Holm). Default 0.05. */
  alpha?: number
  /** Confidence level of the reported CIs. Default 0.95. */
  level?: number
  /** Bootstrap resamples (raised so Holm's strictest step is reachable; see comparisons.ts). Default 1000. */
  resamples?: number
  maxResamples?: number
  seed?: number
}

/** A run whose journal ends in a torn line (`RunData.torn`), as {@link RunComparison} reports it. */
export interface CutJournal {
  /** The journal file. */
  journal: string
  /** The torn line's number (1-based). */
  line: number
  /** Which run: the base run or the new one. */
  run: 'base' | 'new'
  /** What the other run holds and this one lacks, `<group> (no cell)` or `<group> (seeds 2, 3)`: what the cut record may have held. */
  lacks: string[]
  /** The warning, as `warnings` holds it: what is lost and the fix for that run. */
  message: string
}

/** A cell of the new run whose last record is an error (`RunData.errors`), as {@link RunComparison} reports it. */
export interface FailedCell {
  cellId: string
  groupId: string
  seed: number
  /** The error as journaled, whole (`missing` shows it cut to its first line and 80 characters). */
  message: string
  /** The base run finished this cell (same key): its loss makes the new run incomplete (`missing`). */
  inBase: boolean
}

/** One cell (key without seed) and metric, compared between the base run and the new run. */
export interface CellDiff {
  groupId: string
  label: string
  metric: 'pass1' | 'passAtN' | 'bestOfN'
  n: number
  /** Pooled values over seeds and the shared prompts. */
  base: number
  next: number
  /** next − base (negative: the new run is worse). */
  diff: number
  ci: Interval
  p: number
  pHolm: number
  significant: boolean
  /** Significant after Holm, and the drop exceeds the threshold. */
  regression: boolean
  /** Significant after Holm, and the gain exceeds the threshold. */
  improvement: boolean
  prompts: number
  seeds: { base: number; next: number }
  /** In the tested family (pass@1, Bo-N′, pass@max N); other metrics are reported, never flagged. */
  primary: boolean
  /** Which primary metric this is (primary comparisons only). */
  role?: PrimaryRole
  /** The smallest drop this test detects at 80% power (primary comparisons only). */
  detectable?: DetectableEffect
}

/** The outcome of `bench compare` for the evaluation runs (and benchmarks, when given). */
export interface RunComparison {
  base: { runId: string; runDir: string }
  next: { runId: string; runDir: string }
  settings: { threshold: number; alpha: number; level: number; resamples: number }
  /** Bit-for-bit comparison of every matched cell, before any statistics. */
  exact: ExactComparison
  /** The tested family: its size, the level each test is held to, and the power the MDE is stated at. */
  family: { tests: number; perTestAlpha: number; power: number }
  cells: CellDiff[]
  regressions: CellDiff[]
  improvements: CellDiff[]
  /**
   * What the base run has and the new run lacks, one entry per cell group, its losses joined by
   * `; `: `<group> (no cell)`; `<group> (seeds 2, 3)` (fewer seeds, or seeds the new run planned
   * and did not finish, whatever other seeds it drew); `<group> (seed 2 failed: <cellId> "<error>")`
   * (a cell the new run planned that ended in an error); `<group> (N=8)` (an N the base evaluated);
   * `<group> (28 of 32 prompts: a, b, c, …)` (base prompts the new run did not evaluate). Groups with
   * a failed cell come first. Not empty: the new run is incomplete, and `--fail-on-regression` fails.
   */
  missing: string[]
  /** Every cell of the new run that failed; those the base run finished are in `missing` too. */
  failed: FailedCell[]
  /** Groups only one run has: not compared. */
  onlyInBase: string[]
  onlyInNext: string[]
  warnings: string[]
  /**
   * The runs whose journal ends in a torn line (a record cut when the run was killed): its record
   * is lost. For the base run nothing else shows it (the new run merely has more), so the summary
   * warns; a cut new run shows as incomplete too, when the record was a cell.
   */
  cutJournals: CutJournal[]
  benchmarks?: BenchmarkComparison
  /** True when any cell regressed or any benchmark regression counts (comparable, and judged: see compare-benchmarks.ts). */
  regressed: boolean
  /** True when a cell changed although every input is recorded the same (exit 3 in `bench compare`). */
  notReproducible: boolean
  /**
   * The gate's verdict, what `bench compare --fail-on-regression` exits on: 'not-reproducible'
   * (exit 3), 'regressed' or 'incomplete' (`missing` is not empty; exit 1), else 'pass'. In the
   * JSON output, so a CI step reading it needs no rule of its own.
   */
  verdict: CompareVerdict
}

/** See {@link RunComparison.verdict}. */
export type CompareVerdict = 'not-reproducible' | 'regressed' | 'incomplete' | 'pass'

/** The verdict of a comparison's flags, in the order the exit codes rank them. */
export function compareVerdict(c: Pick<RunComparison, 'notReproducible' | 'regressed' | 'missing'>): CompareVerdict {
  return c.notReproducible ? 'not-reproducible' : c.regressed ? 'regressed' : c.missing.length > 0 ? 'incomplete' : 'pass'
}

/** The N′ most strategy cells trained at: the base cells' Bo-N′ is tested there. */
function commonNTrain(groups: readonly CellGroup[]): number | undefined {
  const counts = new Map<number, number>()
  for (const g of groups) if (g.key.nTrain > 1) counts.set(g.key.nTrain, (counts.get(g.key.nTrain) ?? 0) + 1)
  return [...counts].sort((x, y) => y[1] - x[1] || x[0] - y[0])[0]?.[0]
}

/**
 * Fails when a run has no finished cell, naming that run's folder and journal: a comparison
 * against nothing is no verdict, and which side is empty decides the fix (restore the base run's
 * journal; finish the new run). Pure; describes the journal from what was read of it.
 */
function requireFinishedCells(base: RunData, next: RunData): void {
  const empty = (run: RunData, which: 'base' | 'new') => {
    if (run.cells.length > 0) return undefined
    const journal = join(run.runDir, runFiles.journal)
    const holds = run.errors.length
      ? `its ${run.errors.length} cell(s) in ${journal} all ended in an error`
      : holdsNoRecord(run)
        ? `${journal} is missing or empty`
        : `${journal} holds no finished cell record`
    const fix =
      which === 'base'
        ? "restore the base run's journal.jsonl (the last-good artifact holds it beside run.json), or compare against another base run"
        : `check that it finished (bench run --resume ${run.runDir})`
    return `the ${which} run ${run.runDir} has no finished cell (${holds}): ${fix}`
  }
  const problems = [empty(base, 'base'), empty(next, 'new')].filter((p): p is string => p !== undefined)
  if (problems.length) throw new BenchError('BENCH_RUN_INVALID', `${problems.join('; and ')}.`)
}

/** What `have` lacks of `other`, per cell group: `<group> (no cell)` or `<group> (seeds 2, 3)`. */
function groupsLacking(have: readonly CellGroup[], other: readonly CellGroup[]): string[] {
  const byId = new Map(have.map((g) => [g.groupId, new Set(g.cells.map((c) => c.key.seed))]))
  return other.flatMap((g) => {
    const seeds = byId.get(g.groupId)
    if (!seeds) return [`${g.groupId} (no cell)`]
    const lost = g.cells.map((c) => c.key.seed).filter((seed) => !seeds.has(seed))
    return lost.length ? [`${g.groupId} (seed${lost.length > 1 ? 's' : ''} ${lost.join(', ')})`] : []
  })
}

/** A cell's key as one string: its group and its seed. */
const cellKeyId = (key: CellKey) => `${groupIdOf(groupKeyOf(key))}#s${key.seed}`

/** An error message cut to its first line and 80 characters: the verdict names it; the journal holds it whole. */
function shortMessage(message: string): string {
  const line = message.trim().split('\n')[0]!.trim()
  return line.length > 80 ? `${line.slice(0, 79)}…` : line
}

/** A group's failed cells as `missing` names them: the first two by seed, cell id and error, then how many more. */
function failedParts(failures: readonly CellFailure[]): string[] {
  const shown = failures.slice(0, 2).map((f) => `seed ${f.key.seed} failed: ${f.cellId} "${shortMessage(f.message)}"`)
  const more = failures.length - shown.length
  return more > 0 ? [...shown, `${more} more seed(s) failed`] : shown
}

/** Prompts whose text differs between the runs under the same id, as `missing` names them. */
function changedPromptsPart(changed: readonly string[], of: number): string {
  return `${changed.length} of ${of} prompts are other texts under the same ids: ${firstIds(changed)}`
}

/** Base prompts the new run did not evaluate, as `missing` names them: how many of how many, and the first three ids. */
function promptsPart(lacking: readonly string[], of: number): string {
  return `${lacking.length} of ${of} prompts: ${firstIds(lacking)}`
}

/** The warning for a run whose journal was cut: what is lost, and the fix for that side. */
function cutWarning(cut: Omit<CutJournal, 'message'>, runDir: string): string {
  const lost = cut.lacks.length
    ? `${cut.lacks.length} cell group(s) the ${cut.run === 'base' ? 'new' : 'base'} run has: ${cut.lacks.join('; ')}`
    : 'no cell the other run has'
  const fix =
    cut.run === 'base'
      ? "those are compared on what is left (or not at all); restore the base run's full journal.jsonl (the last-good artifact) for a complete comparison"
      : `resume the run to redo it (bench run --resume ${runDir})`
  return `the ${cut.run} run's journal ${cut.journal} ends in a torn line (line ${cut.line}): its last record was cut (the run was killed while writing it), so the ${cut.run} run lacks ${lost}; ${fix}`
}

/**
 * Compares a new run with a base run. First, exactly: every matched cell's numbers bit for bit,
 * and the runs' recorded inputs (compare-exact.ts). Then statistically: cells are aligned by their
 * key without the seed (seeds are resampled, not paired: the runs' seeds are independent draws)
 * and prompts by id; each cell's primary metrics (pass@1, Bo-N′, pass@max N) are compared by a
 * paired two-level bootstrap (prompts paired, seeds resampled per run), Holm-corrected together
 * across all cells, each with its minimal detectable drop; pass@N and Bo-N at the other N are
 * compared too (their own Holm family) but only reported. A regression is a Holm-significant
 * primary difference whose drop exceeds `threshold` points. Runs in `bench compare`;
 * deterministic given the runs and `seed`. The new run is incomplete (`missing`) when it lacks a
 * cell, seed, N or prompt of the base run; a base cell the new run planned but did not finish
 * (failed, or not journaled) is lost however many other seeds it drew, and a failed one is named
 * with its error. Throws BENCH_RUN_INVALID, naming the run and its
 * journal, when either run has no finished cell; a run whose journal ends in a torn line (`RunData.torn`) gets a warning.
 */
export function compareRuns(base: RunData, next: RunData, options: CompareRunsOptions = {}): RunComparison {
  const threshold = options.threshold ?? 0
  const alpha = options.alpha ?? 0.05
  const level = options.level ?? 0.95
  requireFinishedCells(base, next)
  const keys = [...base.cells, ...next.cells].map((c) => c.key)
  const a = groupCells(base.cells, keys)
  const b = groupCells(next.cells, keys)
  const warnings = [...a.warnings.map((w) => `base: ${w}`), ...b.warnings.map((w) => `new: ${w}`)]
  const nextById = new Map(b.groups.map((g) => [g.groupId, g]))
  const baseIds = new Set(a.groups.map((g) => g.groupId))
  const requests: ComparisonRequest[] = []
  const secondary: ComparisonRequest[] = []
  const roles = new Map<string, PrimaryRole>()
  const fallbackNTrain = commonNTrain(a.groups)
  const pairs = new Map<string, { base: CellGroup; next: CellGroup; prompts: string[] }>()
  // What the base run has and the new run lacks: whole cells; seeds of a cell when the new run has
  // fewer (an unfinished run), or seeds it planned and did not finish (failed, or never journaled),
  // however many other seeds it drew; N values; prompts. Seeds it did not plan, as many or more,
  // are another draw, not a loss. Groups with a failed cell go first: the verdict shows four.
  const missingFailed: string[] = []
  const missingRest: string[] = []
  const miss = (group: CellGroup, lost: readonly string[], failed: boolean) =>
    (failed ? missingFailed : missingRest).push(`${group.groupId} (${lost.join('; ')})`)
  const seedsOf = (group: CellGroup) => group.cells.map((c) => c.key.seed)
  const keyOf = (group: CellGroup, seed: number): CellKey => ({ ...group.key, seed })
  // The new run's plan, its seeds by cell group: its manifest's cells, and any cell it journaled an error for.
  const plannedByGroup = new Map<string, Set<number>>()
  for (const key of [...next.manifest.cells.map((c) => c.key), ...next.errors.map((e) => e.key)]) {
    const groupId = groupIdOf(groupKeyOf(key))
    let seeds = plannedByGroup.get(groupId)
    if (!seeds) plannedByGroup.set(groupId, (seeds = new Set()))
    seeds.add(key.seed)
  }
  const failures = new Map(next.errors.map((e) => [cellKeyId(e.key), e]))
  const failuresOf = (group: CellGroup, seeds: readonly number[]) =>
    seeds.flatMap((seed) => {
      const failure = failures.get(cellKeyId(keyOf(group, seed)))
      return failure ? [failure] : []
    })
  const baseKeys = new Set(base.cells.map((c) => cellKeyId(c.key)))
  for (const g of a.groups) {
    const other = nextById.get(g.groupId)
    if (!other) {
      const failed = failuresOf(g, seedsOf(g))
      miss(g, ['no cell', ...failedParts(failed)], failed.length > 0)
      continue
    }
    const baseSeeds = seedsOf(g)
    const have = new Set(seedsOf(other))
    const lacking = baseSeeds.filter((seed) => !have.has(seed))
    // An N the base run evaluated and the new run did not: its metrics (pass@max N among them)
    // cannot be compared, so a regression there would go unseen.
    const lackingN = g.grid.filter((n) => !other.grid.includes(n))
    // A base seed is lost when the new run has fewer seeds (an unfinished run), or when it planned
    // that cell and did not finish it: extra seeds must not hide a failed or unfinished cell.
    // (Fewer planned: its unfinished seeds are counted below, each for itself.)
    const ownPlan = plannedByGroup.get(g.groupId) ?? new Set<number>()
    const fewer = Math.max(other.cells.length, ownPlan.size) < g.cells.length
    // And the new run's own seeds of this cell that it planned and did not finish, whatever seeds
    // the base run holds: compared on the seeds that survived, a change that fails (or stops) some
    // seeds would be judged on the others alone.
    const unfinishedOwn = [...ownPlan].sort((x, y) => x - y).filter((seed) => !have.has(seed) && !baseSeeds.includes(seed))
    const lostSeeds = [...lacking.filter((seed) => fewer || ownPlan.has(seed)), ...unfinishedOwn]
    const failed = failuresOf(g, lostSeeds)
    const absent = lostSeeds.filter((seed) => !failed.some((f) => f.key.seed === seed))
    // Base prompts the new run did not evaluate: a regression on them would go unseen. Prompts
    // only in the new run lose nothing (a note below).
    const nextPrompts = new Set(other.promptIds)
    const lackingPrompts = g.promptIds.filter((id) => !nextPrompts.has(id))
    const lost = [
      ...(absent.length > 0 ? [`seed${absent.length > 1 ? 's' : ''} ${absent.join(', ')}`] : []),
      ...failedParts(failed),
      ...(lackingN.length > 0 ? [`N=${lackingN.join(', ')}`] : []),
      ...(lackingPrompts.length > 0 ? [promptsPart(lackingPrompts, g.promptIds.length)] : []),
    ]
    if (lost.length > 0) miss(g, lost, failed.length > 0)
    // Any other difference of the seed sets (another draw, or more seeds in the new run) is no loss,
    // but its cell is compared bit for bit on the shared seeds only (compare-exact.ts): say so.
    const extra = seedsOf(other).some((seed) => !baseSeeds.includes(seed))
    if (lostSeeds.length === 0 && (lacking.length > 0 || extra))
      warnings.push(`${g.groupId}: the runs drew other seeds (base ${baseSeeds.join(', ')}; new ${seedsOf(other).join(', ')})`)
    // Prompts are paired by id: one whose text differs between the runs (the task's prompts changed
    // under the same ids: another option, generator or data file) is not the same prompt, and a
    // difference over it says nothing of the code. Runs recorded before the digests pair by id.
    const [baseTexts, nextTexts] = [base.manifest.provenance.testPrompts, next.manifest.provenance.testPrompts]
    const textsDiffer = (id: string) => baseTexts?.[id] !== undefined && nextTexts?.[id] !== undefined && baseTexts[id] !== nextTexts[id]
    const both = sharedPrompts(g, other)
    const changed = both.filter(textsDiffer)
    if (changed.length > 0) miss(g, [changedPromptsPart(changed, g.promptIds.length)], false)
    const shared = changed.length > 0 ? both.filter((id) => !textsDiffer(id)) : both
    if (shared.length === 0) {
      warnings.push(`${g.groupId}: the runs share no prompt; not compared`)
      continue
    }
    const onlyIn = [
      ...(lackingPrompts.length > 0 ? [`${lackingPrompts.length} prompt(s) only in the base run`] : []),
      ...(other.promptIds.length > shared.length ? [`${other.promptIds.length - shared.length} prompt(s) only in the new run`] : []),
    ]
    if (onlyIn.length > 0) warnings.push(`${g.groupId}: ${onlyIn.join(' and ')}; compared on the ${shared.length} shared`)
    pairs.set(g.groupId, { base: g, next: other, prompts: shared })
    if (Math.min(g.cells.length, other.cells.length) < 2)
      warnings.push(
        `${g.groupId}: one seed in the ${g.cells.length < 2 ? 'base' : 'new'} run: its tests cannot see training noise, so their p-values are too small (false alarms are likely); run 3 seeds or more`,
      )
    const grid = g.grid.filter((n) => other.grid.includes(n))
    const primary = primaryMetrics(grid, g.key.nTrain, fallbackNTrain)
    for (const m of primary) {
      requests.push({ a: g, b: other, metric: m.metric, n: m.n, prompts: shared })
      roles.set(`${g.groupId}|${m.metric}|${m.n}`, m.role)
    }
    for (const m of comparisonMetrics(grid)) if (!roles.has(`${g.groupId}|${m.metric}|${m.n}`)) secondary.push({ a: g, b: other, ...m, prompts: shared })
  }
  if (pairs.size === 0)
    throw new BenchError(
      'BENCH_USAGE',
      `the runs share no cell to compare (the base run has ${a.groups.length} cell group(s), the new run ${b.groups.length}, none alike in task, model, strategy, N′ and temperature, or none on a shared prompt). Compare two runs of the same matrix, and check that the new run finished (bench run --resume <run-dir>).`,
    )
  const bootstrap = { alpha, level, resamples: options.resamples ?? 1000, maxResamples: options.maxResamples, seed: options.seed ?? 0 }
  const outcomes = [...compareGroups(requests, bootstrap), ...compareGroups(secondary, bootstrap)]
  const tests = requests.length
  const resamples = outcomes[0]?.resamples ?? options.resamples ?? 1000
  const cells: CellDiff[] = outcomes.map((o) => {
    const pair = pairs.get(o.a)!
    const baseValue = grandMean(metricMatrix(pair.base, o.metric, o.n, pair.prompts))
    const nextValue = grandMean(metricMatrix(pair.next, o.metric, o.n, pair.prompts))
    const role = roles.get(`${o.a}|${o.metric}|${o.n}`)
    const primary = role !== undefined
    const significant = o.significant
    const detectable = primary
      ? detectableEffect(metricMatrix(pair.base, o.metric, o.n, pair.prompts), metricMatrix(pair.next, o.metric, o.n, pair.prompts), alpha, tests, o.se)
      : undefined
    return {
      groupId: o.a,
      label: pair.base.label,
      metric: o.metric,
      n: o.n,
      base: baseValue,
      next: nextValue,
      diff: o.diff,
      ci: o.ci,
      p: o.p,
      pHolm: o.pHolm,
      significant,
      regression: primary && significant && -o.diff * 100 > threshold,
      improvement: primary && significant && o.diff * 100 > threshold,
      prompts: o.prompts,
      seeds: { base: o.seeds[0], next: o.seeds[1] },
      primary,
      ...(role ? { role } : {}),
      ...(detectable ? { detectable } : {}),
    }
  })
  const regressions = cells.filter((c) => c.regression)
  const failed: FailedCell[] = next.errors.map((e) => ({
    cellId: e.cellId,
    groupId: groupIdOf(groupKeyOf(e.key)),
    seed: e.key.seed,
    message: e.message,
    inBase: baseKeys.has(cellKeyId(e.key)),
  }))
  // A failed cell of a group the base run lacks hides nothing of it: said, not failed. (One of a
  // group both runs hold makes the new run incomplete, above, whatever its seed.)
  for (const f of failed.filter((x) => !x.inBase && !baseIds.has(x.groupId)))
    warnings.push(`new: ${f.cellId} failed ("${shortMessage(f.message)}"); the base run has no cell group like it, so the comparison lacks nothing`)
  const exact = compareExact(base.manifest.provenance, next.manifest.provenance, [...pairs.values()])
  const cut = (data: RunData, run: CutJournal['run'], lacks: () => string[]): CutJournal[] => {
    if (!data.torn) return []
    const at = { journal: join(data.runDir, runFiles.journal), line: data.torn.line, run, lacks: lacks() }
    return [{ ...at, message: cutWarning(at, data.runDir) }]
  }
  const cutJournals = [...cut(base, 'base', () => groupsLacking(a.groups, b.groups)), ...cut(next, 'new', () => groupsLacking(b.groups, a.groups))]
  warnings.unshift(...cutJournals.map((c) => c.message))
  const missing = [...missingFailed, ...missingRest]
  return {
    base: { runId: base.manifest.runId, runDir: base.runDir },
    next: { runId: next.manifest.runId, runDir: next.runDir },
    settings: { threshold, alpha, level, resamples },
    exact,
    family: { tests, perTestAlpha: alpha / Math.max(1, tests), power: mdePower },
    cells,
    regressions,
    improvements: cells.filter((c) => c.improvement),
    missing,
    failed,
    onlyInBase: a.groups.filter((g) => !nextById.has(g.groupId)).map((g) => g.groupId),
    onlyInNext: b.groups.filter((g) => !baseIds.has(g.groupId)).map((g) => g.groupId),
    warnings,
    cutJournals,
    regressed: regressions.length > 0,
    notReproducible: exact.notReproducible.length > 0,
    verdict: compareVerdict({
      notReproducible: exact.notReproducible.length > 0,
      regressed: regressions.length > 0,
      missing,
    }),
  }
}

/** Attaches a benchmark comparison; the verdict regresses when a counted benchmark did (`benchmarks.regressions`: not the `notJudged`). */
export function withBenchmarks(comparison: RunComparison, benchmarks: BenchmarkComparison): RunComparison {
  const regressed = comparison.regressed || benchmarks.regressions.length > 0
  return { ...comparison, benchmarks, regressed, verdict: compareVerdict({ ...comparison, regressed }) }
}
