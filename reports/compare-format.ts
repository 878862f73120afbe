import { HISTORY_SIGMAS, MIN_HISTORY, sparkline } from './benchmark-history.js'
import type { BenchmarkComparison, BenchmarkDiff } from './compare-benchmarks.js'
import type { CellDiff, RunComparison } from './compare.js'
import { compareLead } from './compare-lead.js'
import { metricLabel } from './groups.js'
import { mdCell, signedPoints, table } from './markdown.js'

/** Output formats of `bench compare`. */
export type CompareFormat = 'md' | 'json' | 'junit'

// Not markdown.ts's pct: that one prints '—' for non-finite values, this one prints them as they are.
const pct = (v: number) => (100 * v).toFixed(1)
const signedPct = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}%`

function cellRows(cells: readonly CellDiff[], level: number): string {
  return table(
    ['cell', 'metric', 'base', 'new', 'diff (points)', `${Math.round(level * 100)}% CI (unadjusted)`, 'Holm p', 'prompts × seeds'],
    cells.map((c) => [
      mdCell(c.label),
      // Secondary metrics are reported with their own Holm family and never flagged.
      c.primary ? metricLabel(c.metric, c.n) : `${metricLabel(c.metric, c.n)} (reported)`,
      pct(c.base),
      pct(c.next),
      signedPoints(c.diff),
      `${signedPoints(c.ci[0])} to ${signedPoints(c.ci[1])}`,
      c.pHolm.toPrecision(2),
      `${c.prompts} × ${c.seeds.base}/${c.seeds.next}`,
    ]),
    false,
  )
}

/** A record's change in percent against what judged it: the base run, or the median of its history. */
const judgedChangePct = (d: BenchmarkDiff) => (d.judgedBy === 'history' ? d.history!.changePct! : d.changePct)
const judgedChange = (d: BenchmarkDiff) => `${signedPct(judgedChangePct(d))}${d.judgedBy === 'history' ? ' vs median' : ''}`

/** A record's status, with why it does not count when it does not (judged against the base run alone). */
const benchStatus = (d: BenchmarkDiff) => (d.notJudged ? `${d.status} (${d.notJudged})` : d.status)

function benchRows(diffs: readonly BenchmarkDiff[]): string {
  return table(
    ['suite', 'case', 'metric', 'base', 'new', 'change', 'allowance', 'status'],
    diffs.map((d) => [
      mdCell(d.suite),
      mdCell(d.case),
      mdCell(d.metric),
      `${d.base.toPrecision(4)} ${mdCell(d.unit)}`,
      `${d.next.toPrecision(4)} ${mdCell(d.unit)}`,
      judgedChange(d),
      `±${d.allowancePct.toFixed(1)}%${d.judgedBy === 'history' ? ' (history)' : ''}`,
      benchStatus(d),
    ]),
    false,
  )
}

/** How many earlier values the over-time chart shows at most (the newest). */
const CHART_POINTS = 20

/**
 * Each ratio (and each record with a goal) over the nights of the history: a chart of its earlier
 * values with tonight's last, their median, tonight's value, its goal and its status.
 */
function trendRows(b: BenchmarkComparison): string {
  const rows = b.diffs.filter((d) => d.history && (d.unit === 'ratio' || d.history.goal))
  if (!rows.length) return 'No ratio or goal among the compared records.'
  return table(
    ['suite', 'case', 'metric', 'earlier nights → tonight', 'median (nights)', 'tonight', 'goal', 'status'],
    rows.map((d) => {
      const t = d.history!
      const shown = t.points.slice(-CHART_POINTS).map((p) => p.value)
      const goal = t.goal ? `${d.higherIsBetter ? '≥' : '≤'} ${t.goal.value} ${t.goal.met ? '✓' : '✗'}` : ''
      return [
        mdCell(d.suite),
        mdCell(d.case),
        mdCell(d.metric),
        shown.length ? sparkline([...shown, t.next]) : '(none)',
        t.median === undefined ? `— (${t.points.length})` : `${t.median.toPrecision(4)} (${t.points.length})`,
        `${t.next.toPrecision(4)} ${mdCell(d.unit)}`,
        goal,
        t.status === 'short' ? `${d.status} (${d.notJudged ?? 'history too short: by the base run'})` : d.status,
      ]
    }),
    false,
  )
}

/**
 * The Markdown summary of a comparison, fit for a CI comment. The first screen (compare-lead.ts):
 * the verdict, whether each cell is bit-identical to the base run (and which are not reproducible),
 * and each cell's primary metrics with the drop its test could detect; then the regressions (which
 * cell, which metric, by how much, with CI and Holm p), improvements, then the full tables folded
 * in `<details>`. Pure.
 */
export function compareToMarkdown(c: RunComparison): string {
  const s = c.settings
  const benchRegressions = c.benchmarks?.regressions ?? []
  const parts = [
    `## bonbench compare: \`${mdCell(c.base.runId)}\` → \`${mdCell(c.next.runId)}\``,
    compareLead(c),
    `Method: ${c.family.tests} primary comparisons (pass@1, Bo-N′, pass@max N per cell), paired bootstrap over prompts with seeds resampled, Holm-corrected together at α = ${s.alpha}; a regression needs a drop of more than ${s.threshold} points. The intervals are each test's own, not adjusted for the family: one wholly below 0 is no regression unless its Holm p says so. ${c.cells.length - c.family.tests} comparisons at other N are reported, not tested.`,
  ]
  if (c.regressions.length) parts.push(`### Regressions\n\n${cellRows(c.regressions, s.level)}`)
  if (benchRegressions.length) parts.push(`### Benchmark regressions\n\n${benchRows(benchRegressions)}`)
  const benchNotJudged = c.benchmarks?.notJudged ?? []
  if (benchNotJudged.length)
    parts.push(
      `### Benchmarks worse than the base run, not judged\n\nJudged against the base run alone, with fewer than ${MIN_HISTORY} earlier nights of history on a like machine: one night against one other night is mostly the machine's noise, so these do not fail \`--fail-on-regression\` (\`--bench-strict\` makes them). Keep earlier nights with \`--bench-history\`.\n\n${benchRows(benchNotJudged)}`,
    )
  if (c.improvements.length) parts.push(`### Improvements\n\n${cellRows(c.improvements, s.level)}`)
  if (c.cells.length) parts.push(`<details><summary>All ${c.cells.length} comparisons</summary>\n\n${cellRows(c.cells, s.level)}\n\n</details>`)
  if (c.benchmarks?.historyFiles !== undefined) {
    parts.push(
      `### Benchmarks over time\n\nFrom ${c.benchmarks.historyFiles} earlier benchmark files on machines like tonight's. With ${MIN_HISTORY} earlier values or more, a record regresses when it is worse than their median by more than the band: the largest of the threshold, ${HISTORY_SIGMAS} robust standard deviations of those values (1.4826 × MAD) and tonight's own margin of error.\n\n${trendRows(c.benchmarks)}`,
    )
  }
  if (c.benchmarks && c.benchmarks.diffs.length) {
    const note = c.benchmarks.machineMismatch.length ? `\n\nDifferent machines for: ${c.benchmarks.machineMismatch.map(mdCell).join(', ')} (not counted).` : ''
    parts.push(
      `<details><summary>Benchmarks: ${c.benchmarks.diffs.length} numbers, threshold ${c.benchmarks.thresholdPct}%</summary>\n\n${benchRows(c.benchmarks.diffs)}${note}\n\n</details>`,
    )
  }
  const notes = [
    ...c.onlyInBase.map((g) => `only in base run (not compared): \`${mdCell(g)}\``),
    ...c.onlyInNext.map((g) => `only in new run (not compared): \`${mdCell(g)}\``),
    // A cut journal's warning already stands under the verdict.
    ...c.warnings.filter((w) => !c.cutJournals.some((cut) => cut.message === w)).map(mdCell),
    ...(c.benchmarks?.warnings ?? []).map(mdCell),
  ]
  if (notes.length) parts.push(`### Notes\n\n${notes.map((n) => `- ${n}`).join('\n')}`)
  return parts.join('\n\n') + '\n'
}

function xml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[ch]!)
}

/**
 * JUnit XML: one testsuite for the evaluation cells (a testcase per cell × metric, a failure per
 * regression) and one for the benchmarks (a testcase per record). CI systems show failures by name.
 */
export function compareToJunit(c: RunComparison): string {
  const cellCases = c.cells.map((d) => {
    const name = `${d.label} ${metricLabel(d.metric, d.n)}`
    const body = `base ${pct(d.base)}, new ${pct(d.next)}, diff ${signedPoints(d.diff)} points (CI ${signedPoints(d.ci[0])} to ${signedPoints(d.ci[1])}), Holm p ${d.pHolm.toPrecision(2)}`
    const failure = d.regression ? `<failure message="${xml(`regressed by ${Math.abs(100 * d.diff).toFixed(1)} points`)}">${xml(body)}</failure>` : ''
    return `    <testcase classname="${xml(d.groupId)}" name="${xml(name)}">${failure}<system-out>${xml(body)}</system-out></testcase>`
  })
  // A cell that changed on unchanged inputs is an error (not a failure): the run itself is broken.
  const exactCases = c.exact.cells
    .filter((e) => e.state === 'not-reproducible')
    .map(
      (e) =>
        `    <testcase classname="${xml(e.groupId)}" name="${xml(`${e.label} reproduces bit for bit`)}"><error message="not reproducible">${xml(e.differences.join('\n'))}</error></testcase>`,
    )
  // What --fail-on-regression also fails: a new run that lacks cells, seeds, N values or prompts of the base run.
  const incomplete = c.missing.length > 0
  const coverage = `    <testcase classname="completeness" name="the new run evaluates everything the base run did">${
    incomplete ? `<failure message="${xml(`incomplete: lacks ${c.missing.length} cell group(s) of the base run`)}">${xml(c.missing.join('\n'))}</failure>` : ''
  }</testcase>`
  const evaluationFailures = c.regressions.length + (incomplete ? 1 : 0)
  const suites = [
    `  <testsuite name="bonbench compare: evaluation" tests="${c.cells.length + exactCases.length + 1}" failures="${evaluationFailures}" errors="${exactCases.length}">\n${[coverage, ...exactCases, ...cellCases].join('\n')}\n  </testsuite>`,
  ]
  if (c.benchmarks) {
    const benchCases = c.benchmarks.diffs.map((d) => {
      const history = d.history?.median !== undefined ? `, median of ${d.history.points.length} earlier ${d.history.median} ${d.unit}` : ''
      const body = `base ${d.base} ${d.unit}, new ${d.next} ${d.unit}${history}, change ${judgedChange(d)} (allowance ±${d.allowancePct.toFixed(1)}%), ${benchStatus(d)}`
      const worse = `worse${d.judgedBy === 'history' ? ' than the median of earlier nights' : ''} by ${Math.abs(judgedChangePct(d)).toFixed(1)}%`
      const failure = d.status === 'regression' && !d.notJudged ? `<failure message="${xml(worse)}">${xml(body)}</failure>` : ''
      const skipped =
        d.status === 'not-comparable'
          ? '<skipped message="measured on different machines"/>'
          : d.status === 'regression' && d.notJudged
            ? `<skipped message="${xml(`${worse}; ${d.notJudged}`)}"/>`
            : ''
      return `    <testcase classname="${xml(d.suite)}" name="${xml(`${d.case} ${d.metric}`)}">${failure}${skipped}<system-out>${xml(body)}</system-out></testcase>`
    })
    suites.push(
      `  <testsuite name="bonbench compare: benchmarks" tests="${c.benchmarks.diffs.length}" failures="${c.benchmarks.regressions.length}" errors="0">\n${benchCases.join('\n')}\n  </testsuite>`,
    )
  }
  const failures = evaluationFailures + (c.benchmarks?.regressions.length ?? 0)
  const tests = c.cells.length + exactCases.length + 1 + (c.benchmarks?.diffs.length ?? 0)
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="bonbench compare" tests="${tests}" failures="${failures}" errors="${exactCases.length}">\n${suites.join('\n')}\n</testsuites>\n`
}

/** Renders a comparison in the chosen format (JSON: the RunComparison object, pretty-printed). */
export function formatComparison(c: RunComparison, format: CompareFormat): string {
  if (format === 'json') return JSON.stringify(c, null, 2) + '\n'
  if (format === 'junit') return compareToJunit(c)
  return compareToMarkdown(c)
}
