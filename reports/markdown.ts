import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { metricLabel } from './groups.js'
import type { Results, ResultsGroup } from './results-schema.js'
import { labelWithSelection } from './selection-label.js'
import { frontierSection } from './frontier-markdown.js'
import { metricColumns, type ResultsTable, resultsTable, selectionRows } from '../core/summary/results-table.js'
import { fmtEstimate, mdCell, pct, signedPoints, table } from './markdown-cells.js'

export { fmtEstimate, mdCell, signedPoints, table }

/** The groups per (task, model, T), titled `task · model · T=t`, in first-seen order. */
export function contextsOf(results: Results): Array<{ title: string; groups: ResultsGroup[] }> {
  const out = new Map<string, { title: string; groups: ResultsGroup[] }>()
  for (const g of results.groups) {
    const id = `${g.key.task} · ${g.key.model} · T=${g.key.temperature}`
    if (!out.has(id)) out.set(id, { title: id, groups: [] })
    out.get(id)!.groups.push(g)
  }
  return [...out.values()]
}

/**
 * The N values every group reports (`grid`, in the first group's order) and those of them above 1
 * (`passGrid`: pass@1 has its own column, exact from pools, also where the grid lacks N = 1).
 */
export function sharedGrids(groups: readonly ResultsGroup[]): { grid: number[]; passGrid: number[] } {
  const grid = groups[0]!.grid.filter((n) => groups.every((g) => g.grid.includes(n)))
  return { grid, passGrid: grid.filter((n) => n > 1) }
}

/**
 * The table model of one context's groups (built once, laid out as Markdown here and as HTML in
 * html.ts): `metrics` has pass@1, pass@N for N > 1 and Bo-N over the grid the groups share;
 * `majority` has maj@N. Labels name the judge that picks each strategy's BoN picks.
 */
export function groupsTable(results: Results, groups: readonly ResultsGroup[], kind: 'metrics' | 'majority' | 'selection'): ResultsTable {
  const { grid, passGrid } = sharedGrids(groups)
  if (kind === 'selection') {
    // A row per (system, rule); the Markdown and HTML print it only when the run asked for extra rules.
    const systems = groups.map((g) => ({
      ...g,
      label: labelWithSelection(results, g),
      seeds: g.seeds.length,
      selection: g.selection?.map((r) => ('values' in r ? { label: r.label, values: r.values } : { label: r.label, absent: r.absent })),
    }))
    return resultsTable(selectionRows(systems), metricColumns(['rule'], grid, { headers: 'n' }), 'system · selection rule')
  }
  const columns =
    kind === 'metrics'
      ? [...metricColumns(['pass1'], []), ...metricColumns(['passAtN'], passGrid), ...metricColumns(['bestOfN'], grid)]
      : metricColumns(['majorityAtN'], grid)
  return resultsTable(
    groups.map((g) => ({ ...g, label: labelWithSelection(results, g), seeds: g.seeds.length })),
    columns,
  )
}

/** Lays a results table out as Markdown: `value (low–high)` per entry; `seeds` adds a column of seed counts after the label. */
export function markdownTable(t: ResultsTable, options: { seeds?: boolean } = {}): string {
  const header = [t.title, ...(options.seeds ? ['seeds'] : []), ...t.columns.map((c) => c.header)]
  const rows = t.rows.map((r) => [mdCell(r.label), ...(options.seeds ? [String(r.seeds)] : []), ...r.values.map((v) => (v ? fmtEstimate(v) : '—'))])
  return table(header, rows)
}

function metricTables(results: Results): string {
  return contextsOf(results)
    .map(({ title, groups }) => {
      const metrics = markdownTable(groupsTable(results, groups, 'metrics'), { seeds: true })
      const maj = markdownTable(groupsTable(results, groups, 'majority'))
      const rules = groupsTable(results, groups, 'selection')
      const absent = groups.flatMap((g) =>
        (g.selection ?? []).flatMap((r) => ('absent' in r ? [`- ${mdCell(g.label)} · ${mdCell(r.label)}: ${mdCell(r.absent)}`] : [])),
      )
      const selection =
        rules.rows.length > 0
          ? `\n\nSelection rules (mean reward of each rule's pick from N samples; docs/selection-rules.md):\n\n${markdownTable(rules)}${absent.length ? `\n\n${absent.join('\n')}` : ''}`
          : ''
      return `### ${mdCell(title)}\n\n${metrics}\n\nMajority vote:\n\n${maj}${selection}`
    })
    .join('\n\n')
}

function comparisonSection(results: Results): string {
  if (results.comparisons.length === 0) return 'No comparisons (the run has no base model or only one system per temperature).'
  const label = new Map(results.groups.map((g) => [g.groupId, g.label]))
  const significant = results.comparisons.filter((c) => c.significant)
  const rows = significant.map((c) => [
    mdCell(label.get(c.b) ?? c.b),
    mdCell(label.get(c.a) ?? c.a),
    metricLabel(c.metric, c.n),
    signedPoints(c.diff),
    `${signedPoints(c.ci[0])} to ${signedPoints(c.ci[1])}`,
    c.pHolm.toPrecision(2),
  ])
  const intro = `${results.comparisons.length} comparisons (every strategy against the base and against each other at the same temperature; differences in points, b − a; paired bootstrap over prompts and seeds; Holm-corrected at α = ${results.settings.alpha}). ${significant.length} are significant${significant.length ? ':' : '.'}`
  return significant.length ? `${intro}\n\n${table(['b', 'a', 'metric', 'diff', `${Math.round(results.settings.level * 100)}% CI`, 'Holm p'], rows)}` : intro
}

function coScalingSection(results: Results): string {
  const { fits, bestTemperature } = results.coScaling
  const temps = new Set(fits.map((f) => f.temperature))
  if (temps.size < 2) return 'One temperature only: nothing to co-scale.'
  const families = [...new Set(bestTemperature.map((b) => b.group))]
  const parts = families.map((family) => {
    const rows = bestTemperature.filter((b) => b.group === family).map((b) => [String(b.n), String(b.temperature), pct(b.passAtN)])
    const fitRows = fits
      .filter((f) => f.group === family)
      .map((f) => [String(f.temperature), f.a === null ? 'no fit' : f.a.toFixed(3), f.b === null ? '' : f.b.toFixed(3)])
    return `**${mdCell(family)}**\n\n${table(['N', 'best T', 'pass@N'], rows)}\n\n${table(['T', 'a', 'b'], fitRows)}`
  })
  return `Measured best temperature per N, and the fit pass@N ≈ exp(a·N^b) per temperature.\n\n${parts.join('\n\n')}`
}

function environmentSection(results: Results): string {
  const r = results.run
  const p = results.provenance
  const git = (g: typeof p.git) => (g ? `${g.commit}${g.dirty ? ' (dirty)' : ''}` : '—')
  const rows: string[][] = [
    ['run id', r.runId],
    ['created', r.createdAt],
    ['cells finished', `${results.cells.length} of ${r.plannedCells}`],
    ['harness', `${p.harness.name} ${p.harness.version}${p.harness.git ? `, commit ${git(p.harness.git)}` : ''}`],
    ['seeds', `${p.seeds.matrix.join(', ')} (task seed ${p.seeds.task})`],
    ['node', p.node],
    ['backend', `${p.backend.resolved ?? '—'}${p.backend.device ? ` (${p.backend.device})` : ''}, requested ${p.backend.requested}`],
    ['platform', `${p.platform.os} ${p.platform.arch}, ${p.platform.cpus} × ${p.platform.cpuModel}`],
    ['git', git(p.git)],
    ['command', `bench ${p.argv.join(' ')}`],
    ['reward R', p.judges.reward],
    ['selector r', p.judges.selector],
    ['pass@N counts', `reward ≥ ${results.settings.threshold}`],
    ['confidence intervals', `${Math.round(results.settings.level * 100)}% two-level bootstrap (seeds and prompts), ${results.settings.bootstrap} resamples`],
  ]
  for (const s of p.strategies)
    rows.push([
      'strategy',
      `${s.name}: ${s.plugin}, selects its picks by ${s.selection === 'reward' ? 'R (the environment reward)' : s.selection === 'verifier' ? 'r (the verifier)' : s.selection === 'none' ? 'nothing (no picks)' : 'an undeclared judge'}`,
    ])
  for (const f of p.dataFiles) rows.push(['data file', `${f.path} (sha256 ${f.sha256})`])
  if (p.checkpoint) rows.push(['checkpoint', p.checkpoint])
  return table(
    ['', ''],
    rows.map(([k, v]) => [k!, mdCell(v!)]),
    false,
  )
}

function pluginsSection(results: Results): string {
  return table(
    ['plugin', 'kind', 'version', 'source', 'options'],
    results.provenance.plugins.map((p) => [`\`${mdCell(p.name)}\``, p.kind, mdCell(p.version), mdCell(p.source), `\`${mdCell(JSON.stringify(p.options))}\``]),
    false,
  )
}

/** Token usage per cell, for models that count it (API models); empty when no cell has any. */
function usageSection(results: Results): string {
  const cells = results.cells.filter((c) => c.usage !== undefined)
  if (cells.length === 0) return ''
  const rows = cells.map((c) => {
    const u = c.usage!
    return [`\`${mdCell(c.cellId)}\``, String(u.requests), String(u.cachedRequests), String(u.promptTokens), String(u.completionTokens)]
  })
  return `## Token usage\n\nTokens as the server counted them; answers from the request cache count too (what the requests cost without the cache).\n\n${table(['cell', 'requests', 'from cache', 'prompt tokens', 'completion tokens'], rows, false)}\n\n`
}

function prepareSection(results: Results): string {
  const entries = Object.entries(results.prepare)
  if (entries.length === 0) return ''
  const rows = entries.flatMap(([name, facts]) =>
    Object.entries(facts).map(([k, v]) => [mdCell(name), mdCell(k), mdCell(typeof v === 'string' ? v : JSON.stringify(v))]),
  )
  return `## Prepared components\n\n${table(['component', 'fact', 'value'], rows, false)}\n\n`
}

/**
 * Renders report.md from results.json's object: metric tables with CIs per (task, model, T) —
 * rows the base and each strategy, columns pass@1, pass@N and Bo-N over the grid — then the
 * significant comparisons, co-scaling, the environment and every plugin's name, version and
 * options. Pure; every piece of run text is escaped for tables.
 */
export function renderMarkdown(results: Results): string {
  const problems = [
    ...results.errors.map((e) => `- cell \`${mdCell(e.cellId)}\` failed: ${mdCell(e.message)}`),
    ...results.warnings.map((w) => `- ${mdCell(w)}`),
  ]
  return `# bonbench report — ${mdCell(results.run.runId)}

Values in percent with ${Math.round(results.settings.level * 100)}% confidence intervals (bootstrap over seeds and prompts).

## Results

${results.groups.length ? metricTables(results) : 'No cell finished.'}

${frontierSection(results)}## Comparisons

${comparisonSection(results)}

## Co-scaling across temperatures

${coScalingSection(results)}

${usageSection(results)}${prepareSection(results)}## Environment

${environmentSection(results)}

## Plugins

${pluginsSection(results)}
${problems.length ? `\n## Problems\n\n${problems.join('\n')}\n` : ''}`
}

/** Writes `<runDir>/report.md` (or `outFile`). Returns the path written. */
export async function writeMarkdownReport(runDir: string, results: Results, outFile = path.join(runDir, 'report.md')): Promise<string> {
  await writeFile(outFile, renderMarkdown(results))
  return outFile
}
