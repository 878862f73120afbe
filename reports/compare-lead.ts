import type { CellDiff, RunComparison } from './compare.js'
import type { CellExact } from './compare-exact.js'
import type { PrimaryRole } from './detectable-effect.js'
import { metricLabel } from './groups.js'
import { mdCell, signedPoints, table } from './markdown.js'

const pct = (v: number) => (100 * v).toFixed(1)
const roles: PrimaryRole[] = ['pass@1', 'Bo-N′', 'pass@max N']
const bits: Record<CellExact['state'], string> = {
  identical: '= identical',
  'other-seeds': '~ other seeds',
  changed: '≠ changed',
  'not-reproducible': '⛔ not reproducible',
}

/** A cell's bits column: its state, and for other seeds how many seeds both runs hold (the ones compared bit for bit). */
function bitsCell(e: CellExact): string {
  if (e.state !== 'other-seeds') return bits[e.state]
  return `${bits[e.state]} (${e.seeds.length ? `${e.seeds.length} shared: identical` : 'none shared'})`
}

/** How many cells are in each exact state, after the verdict: identical only when every cell is, on the same seeds. */
function exactSummary(c: RunComparison): string {
  const x = c.exact
  if (x.identical) return `all ${x.cells.length} cells are bit-identical to the base run`
  const identical = x.cells.filter((e) => e.state === 'identical').length
  const other = x.otherSeeds.length ? `, ${x.otherSeeds.length} on other seeds (compared bit for bit only on the seeds both runs hold)` : ''
  return `${identical} of ${x.cells.length} cells bit-identical, ${x.changed.length} changed${x.notReproducible.length ? `, ${x.notReproducible.length} not reproducible` : ''}${other}`
}

/** A warning line for each run whose journal ends in a torn line, right under the verdict: the base run's loss shows nowhere else. */
function cutLines(c: RunComparison): string[] {
  return c.cutJournals.map((cut) => `⚠️ **Cut journal:** ${mdCell(cut.message)}.`)
}

/** The verdict line of a comparison: not reproducible, regressed, or neither; and how exact the rerun was. */
export function compareVerdict(c: RunComparison): string {
  const benchRegressions = c.benchmarks?.regressions.length ?? 0
  const benchNotJudged = c.benchmarks?.notJudged.length ?? 0
  const notJudged = benchNotJudged ? ` (${benchNotJudged} benchmark record(s) worse than the base run, not judged: too little history)` : ''
  const x = c.exact
  const verdict = c.notReproducible
    ? `⛔ **Not reproducible: ${x.notReproducible.length} cell(s) changed although code, config, data and plugins are recorded the same**${c.regressed ? ` (and ${c.regressions.length} regression(s))` : ''}`
    : c.regressed
      ? `❌ **${c.regressions.length} evaluation regression(s)${benchRegressions ? ` and ${benchRegressions} benchmark regression(s)` : ''}**${c.missing.length ? ` (and the new run is incomplete)` : ''}`
      : c.missing.length
        ? `❌ **Incomplete: the new run lacks ${c.missing.length} cell group(s) of the base run (${c.missing.slice(0, 4).map(mdCell).join('; ')}${c.missing.length > 4 ? '; …' : ''})**`
        : `✅ **No significant regression**${notJudged}`
  return `${verdict} — ${exactSummary(c)}.`
}

function metricCell(d: CellDiff | undefined): string {
  if (!d) return '—'
  const mde = d.detectable ? `; MDE ${(100 * d.detectable.mde).toFixed(1)}${d.detectable.seedNoiseKnown ? '' : '*'}` : ''
  const mark = d.regression ? ' ❌' : d.improvement ? ' ▲' : ''
  return `${metricLabel(d.metric, d.n)} ${pct(d.base)} → ${pct(d.next)} (${signedPoints(d.diff)}${mde})${mark}`
}

/**
 * The first screen of the Markdown summary: the verdict, what changed in the inputs, and one row
 * per cell — bit-identical or not, prompts × seeds, and each primary metric's base → new with the
 * smallest drop its test detects at 80% power (MDE, points). Pure.
 */
export function compareLead(c: RunComparison): string {
  const x = c.exact
  const parts = [compareVerdict(c), ...cutLines(c)]
  const inputs = x.inputs.same
    ? x.inputs.verifiable
      ? 'Inputs: code, config, plugins, data and environment are recorded the same in both runs, so every cell must be bit-identical.'
      : `Inputs: recorded the same, but ${x.inputs.changes.map(mdCell).join('; ')}.`
    : `Inputs changed (${x.inputs.changes.length}): ${x.inputs.changes
        .slice(0, 6)
        .map((s) => `\`${mdCell(s)}\``)
        .join(', ')}${x.inputs.changes.length > 6 ? ', …' : ''}.`
  parts.push(inputs)
  const worst = roles
    .map((r) => {
      const mdes = c.cells.filter((d) => d.role === r && d.detectable).map((d) => d.detectable!.mde)
      return mdes.length ? `${r} ${(100 * Math.max(...mdes)).toFixed(1)}` : undefined
    })
    .filter((x): x is string => x !== undefined)
  if (worst.length) parts.push(`**Detectable drop** (the largest MDE over cells, points, 80% power): ${worst.join(' · ')}.`)
  const byGroup = new Map<string, CellDiff[]>()
  for (const d of c.cells) if (d.primary) byGroup.set(d.groupId, [...(byGroup.get(d.groupId) ?? []), d])
  const rows = x.cells.map((e) => {
    const ds = byGroup.get(e.groupId) ?? []
    const first = ds[0]
    return [
      mdCell(e.label),
      bitsCell(e),
      first ? `${first.prompts} × ${first.seeds.base}/${first.seeds.next}` : '—',
      ...roles.map((r) => metricCell(ds.find((d) => d.role === r))),
    ]
  })
  if (rows.length) {
    const f = c.family
    parts.push(
      `### Cells\n\n${table(['cell', 'bits', 'prompts × seeds', 'pass@1', 'Bo-N′', 'pass@max N'], rows, false)}\n\n` +
        `Each primary metric: base → new (difference; MDE = the smallest drop in points its test detects with ${Math.round(f.power * 100)}% power at α/m = ${c.settings.alpha}/${f.tests} = ${f.perTestAlpha.toPrecision(2)}, two-sided, the strictest Holm step over the ${f.tests} primary tests). ` +
        `❌ regression, ▲ improvement${c.cells.some((d) => d.detectable && !d.detectable.seedNoiseKnown) ? '; * one seed: training noise unknown, the MDE is a lower bound' : ''}.`,
    )
  }
  const broken = x.cells.filter((e) => e.state === 'not-reproducible')
  if (broken.length)
    parts.push(
      `### Not reproducible\n\n${broken.map((e) => `- \`${mdCell(e.groupId)}\` (seeds ${e.differingSeeds.join(', ')}): ${e.differences.map((d) => `\`${mdCell(d)}\``).join('; ')}`).join('\n')}`,
    )
  return parts.join('\n\n')
}
