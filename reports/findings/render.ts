import { bareName } from '../../core/plugin-name.js'
import type { Results } from '../results-schema.js'
import { diffText, factText, intervalText, pct, pctInterval, pValue, temperature } from './format.js'
import { paperEffects } from './power.js'
import type { CheckResult, Finding, FindingsReport } from './types.js'

/** What the doc says about where its numbers come from (everything but the findings). */
export interface FindingsMeta {
  /** The results file as the command was given it (shown in the regenerate line). */
  source: string
  /** The output path, when written to a file (shown in the regenerate line). */
  out?: string
  /** Options the command was given beyond source and --out, e.g. `['--temperature', '0.7']` (shown in the regenerate line). */
  flags?: string[]
  run: Results['run']
  provenance: Results['provenance']
  settings: Results['settings']
  groups: Results['groups']
  warnings: string[]
  /** Finished cells in the results file. */
  cells: number
  errors: number
  prepare: Results['prepare']
}

/** The meta of a results file. Pure; takes only what the doc prints. */
export function findingsMeta(results: Results, where: { source: string; out?: string; flags?: string[] }): FindingsMeta {
  return {
    ...where,
    run: results.run,
    provenance: results.provenance,
    settings: results.settings,
    groups: results.groups,
    warnings: results.warnings,
    cells: results.cells.length,
    errors: results.errors.length,
    prepare: results.prepare,
  }
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

/** A Markdown table as lines (cells escaped). */
export function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.map(cell).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)]
}

const outcomeWord: Record<CheckResult['outcome'], string> = { supports: 'supports', contradicts: 'against', null: 'n.s.' }

function mdeText(c: CheckResult): string {
  return diffText(c, c.mde).replace(/^\+/, '')
}

function paperText(c: CheckResult): string {
  if (c.paperEffect === undefined) return '—'
  return `${diffText(c, c.paperEffect)} (${c.powered ? 'detectable' : 'not detectable'})`
}

/** The evidence table of a finding's tested comparisons. */
export function evidenceTable(evidence: readonly CheckResult[]): string[] {
  return table(
    ['Comparison (b − a)', 'Predicted', 'Difference [95% CI]', 'p', 'Holm p', 'MDE', 'Paper', 'Outcome'],
    evidence.map((c) => [
      c.label,
      c.expected === 'positive' ? '> 0' : '< 0',
      `${diffText(c, c.diff)} ${intervalText(c, c.ci)}`,
      pValue(c.p),
      pValue(c.pHolm),
      mdeText(c),
      paperText(c),
      outcomeWord[c.outcome],
    ]),
  )
}

function findingSection(f: Finding): string[] {
  const lines = [
    `## ${f.id} — ${f.title}`,
    '',
    `**Claim (paper).** ${f.claim}`,
    '',
    `**How it is checked here.** ${f.method}`,
    '',
    `**Verdict: ${f.verdict}.** ${f.summary}`,
    '',
  ]
  if (f.evidence.length > 0) lines.push(...evidenceTable(f.evidence), '')
  if (f.facts.length > 0)
    lines.push(
      'Further numbers (descriptive, not tested):',
      '',
      ...table(
        ['Quantity', 'Value'],
        f.facts.map((x) => [x.label, factText(x)]),
      ),
      '',
    )
  for (const note of f.notes) lines.push(`- ${note}`)
  if (f.notes.length > 0) lines.push('')
  return lines
}

/** A prepared component's fact the findings print: a number, or a pair of numbers (an interval). */
function isFactValue(v: unknown): boolean {
  return typeof v === 'number' || (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'))
}

function formatFact(v: number | number[]): string {
  const round = (x: number) => Number(x.toPrecision(4))
  return typeof v === 'number' ? String(round(v)) : `[${v.map(round).join(', ')}]`
}

/** The doc's "The run" section (v2 reuses it with its own design numbers). */
export function runSection(meta: FindingsMeta, report: Pick<FindingsReport, 'design'>): string[] {
  const d = report.design
  const r = meta.run
  const p = meta.provenance
  // run.json records the resolved config (flat); a user config nests the matrix.
  const matrix = (p.config.matrix ?? p.config) as Record<string, unknown>
  const evalCfg = (p.config.eval ?? {}) as Record<string, unknown>
  const prepared = Object.keys(meta.prepare)
    .sort()
    .flatMap((name) =>
      // Numbers and number pairs only (AUC and its CI, sizes, steps); hashes, flags and timings say nothing about the findings.
      Object.keys(meta.prepare[name]!)
        .sort()
        .filter((k) => isFactValue(meta.prepare[name]![k]) && !/Ms$/.test(k))
        .map((k) => `${name}.${k} = ${formatFact(meta.prepare[name]![k] as number | number[])}`),
    )
  const lines = [
    '## The run',
    '',
    `- Command: \`bench ${p.argv.join(' ')}\``,
    `- Run \`${r.runId}\`, created ${r.createdAt}${p.git ? `, commit \`${p.git.commit.slice(0, 12)}\`${p.git.dirty ? ' (dirty tree)' : ''}` : ''}; Node ${p.node}, backend ${p.backend.resolved ?? p.backend.requested}, ${p.platform.cpus} × ${p.platform.cpuModel}`,
    `- Arms: ${d.strategies.join(', ')} · seeds ${d.seeds.join(', ')} · ${d.prompts} test prompts · N grid ${d.grid.join(', ')} · temperatures ${d.temperatures.map(temperature).join(', ')} (P1–P4 judged at T=${temperature(d.primaryTemperature)})`,
  ]
  if (typeof matrix.poolSize === 'number')
    lines.push(`- Evaluation pool: ${matrix.poolSize} samples per prompt and cell; pass@N counts reward ≥ ${meta.settings.threshold}`)
  if (typeof evalCfg.testPrompts === 'number') lines.push(`- Test prompts requested: ${evalCfg.testPrompts}`)
  const s = d.baseSpread
  if (s) {
    lines.push(
      `- The base model's regime at T=${temperature(s.temperature)}: pass@1 ${pct(s.pass1)}; of the test prompts it solves ${pct(s.never)} never, ${pct(s.rarely)} rarely (≤ 20% of samples), ` +
        `${pct(s.sometimes)} sometimes, ${pct(s.often)} often (≥ 80%) and ${pct(s.always)} always${s.samplesPerPrompt > 0 ? ` (${s.samplesPerPrompt} samples per prompt, seeds pooled)` : ''}`,
    )
  }
  if (prepared.length > 0) lines.push(`- Shared components: ${prepared.join('; ')}`)
  lines.push(`- Finished cells: ${meta.cells} of ${r.plannedCells} planned${meta.errors > 0 ? ` (${meta.errors} failed)` : ''}`, '')
  return lines
}

function readingSection(d: FindingsReport['design']): string[] {
  return [
    '## How to read this',
    '',
    `- Every comparison is a difference b − a of per-prompt metrics, paired over the prompts both arms evaluated, with a two-level bootstrap ` +
      `(core/metrics pairedTwoLevelBootstrap: each replicate resamples prompts, shared by both arms, and each arm's seeds) of ${d.resamples} resamples, seed ${d.seed}.`,
    '- The P4 effort contrasts (hard − easy gains) use the same two-level bootstrap stratified by the hard/easy split: prompts are resampled within each half, so the halves keep their sizes.',
    `- Intervals are ${Math.round(100 * d.level)}% percentile intervals, not adjusted for multiplicity. Significance is Holm-adjusted across all ${d.tests} tested comparisons ` +
      `of this document at a family-wise α = ${d.alpha}; “supports” and “against” mean significant after Holm in, or against, the predicted direction; “n.s.” means not significant. ` +
      `A bootstrap p-value is at least 1/(B + 1), so a Holm p is at least ${(d.tests / (d.resamples + 1)).toFixed(3)} here (m/(B + 1)).`,
    '- A prediction holds when all its comparisons support it; it does not hold when any is significant against it, or when none is significant although every one ' +
      'with a paper effect could have detected it (MDE ≤ the paper’s effect) and its interval excludes that effect; otherwise it is inconclusive. It is not testable here when the run lacks the arms it needs. ' +
      'A prediction in two parts (P4, P6) does not hold when either part does, and is not testable here when the run cannot test one of them; its summary gives each part’s verdict.',
    `- MDE is the minimum detectable effect at ${Math.round(100 * d.power)}% power: (z(1 − α/(2m)) + z(${d.power})) × SE = ${d.zHolm.toFixed(3)} × SE, with m = ${d.tests} ` +
      `(Holm’s strictest step) and SE the bootstrap standard error of that very difference. “Paper” is the paper’s effect for that kind of comparison and whether the MDE reaches it.`,
    '- Rates are in %, differences in percentage points (pp); distinct@N counts answers.',
    '',
  ]
}

function powerSection(report: FindingsReport): string[] {
  const d = report.design
  const all = report.findings.flatMap((f) => f.evidence)
  const rates = all.filter((c) => c.metric !== 'distinctAtN')
  const lines = ['## Power analysis', '']
  lines.push(
    `- The design: ${d.seeds.length} seed(s) × ${d.prompts} prompts per arm, ${d.tests} tested comparisons. At the Holm-strictest level α/m = ${(d.alpha / Math.max(1, d.tests)).toPrecision(3)}, ` +
      `MDE = ${d.zHolm.toFixed(3)} × SE; a comparison read alone (α = ${d.alpha}) needs ${d.zUnadjusted.toFixed(3)} × SE.`,
  )
  const paper = paperEffects
  lines.push(
    `- The paper’s effects (DESIGN §2.4): ${paper.bestOfN.source} (${diffText({ metric: 'bestOfN' }, paper.bestOfN.diff)}); ${paper.passAtN.source} (${diffText({ metric: 'passAtN' }, paper.passAtN.diff)}); ${paper.passAtNVsRl.source} (${diffText({ metric: 'passAtN' }, paper.passAtNVsRl.diff)}).`,
  )
  if (rates.length > 0) {
    const mdes = rates.map((c) => c.mde).sort((x, y) => x - y)
    const median = mdes[Math.floor((mdes.length - 1) / 2)]!
    lines.push(
      `- MDE of the rate comparisons: ${diffText({ metric: 'passAtN' }, mdes[0]!).replace('+', '')} to ${diffText({ metric: 'passAtN' }, mdes[mdes.length - 1]!).replace('+', '')} (median ${diffText({ metric: 'passAtN' }, median).replace('+', '')}).`,
    )
    for (const metric of ['bestOfN', 'passAtN'] as const) {
      const withPaper = rates.filter((c) => c.metric === metric && c.paperEffect !== undefined)
      if (withPaper.length === 0) continue
      const powered = withPaper.filter((c) => c.powered).length
      lines.push(
        `- ${metric === 'bestOfN' ? 'Bo-N' : 'pass@N'} comparisons with a paper effect: ${powered} of ${withPaper.length} could detect it (MDE ≤ the paper’s effect).`,
      )
    }
  } else lines.push('- No comparison was tested: no MDE to report.')
  const table1 = table(
    ['Prediction', 'Comparisons', 'MDE (largest, rates)'],
    report.findings.map((f) => [f.id, String(f.evidence.length), f.mde === null ? '—' : diffText({ metric: 'passAtN' }, f.mde).replace('+', '')]),
  )
  lines.push('', ...table1, '')
  return lines
}

function curveSection(meta: FindingsMeta, temps: readonly number[]): string[] {
  const lines = ['## Measured curves', '', 'Seed-pooled means with 95% two-level bootstrap CIs, as in results.json (`groups`).', '']
  for (const t of temps) {
    const groups = meta.groups.filter((g) => g.key.temperature === t)
    if (groups.length === 0) continue
    const grid = groups[0]!.grid.filter((n) => groups.every((g) => g.grid.includes(n)))
    const label = (g: Results['groups'][number]) =>
      g.key.strategy === 'base' ? 'base' : g.key.nTrain > 1 ? `${bareName(g.key.strategy)} (N′=${g.key.nTrain})` : bareName(g.key.strategy)
    for (const [name, pick] of [
      ['pass@N', (g: Results['groups'][number]) => g.passAtN],
      ['Bo-N', (g: Results['groups'][number]) => g.bestOfN],
    ] as const) {
      lines.push(`${name} at T=${temperature(t)}:`, '')
      lines.push(
        ...table(
          ['Arm', ...grid.map((n) => `N=${n}`)],
          groups.map((g) => [
            label(g),
            ...grid.map((n) => {
              const e = pick(g)[g.grid.indexOf(n)]!
              return `${pct(e.value)} ${pctInterval(e.ci)}`
            }),
          ]),
        ),
        '',
      )
    }
  }
  return lines
}

/**
 * The Markdown of `docs/results.md`: provenance, verdict table, how to read it, one section per
 * prediction (claim, exact check, verdict with numbers, evidence table with CIs, Holm p and MDE),
 * the power analysis and the measured curves. Pure and deterministic: no clock, no locale — the
 * same report and meta give the same bytes.
 */
export function renderFindings(report: FindingsReport, meta: FindingsMeta): string {
  const d = report.design
  const regen = ['npx bench findings', meta.source, ...(meta.out ? ['--out', meta.out] : []), ...(meta.flags ?? [])].join(' ')
  const lines = [
    '# Findings: the paper’s predictions at small scale',
    '',
    `Generated from \`${meta.source}\` (run \`${meta.run.runId}\`) by \`bench findings\`; do not edit by hand. Regenerate with \`${regen}\`.`,
    'Each prediction of DESIGN §2.4 (Chow et al., inference-aware fine-tuning for Best-of-N sampling) is stated, checked exactly as written below, and judged — whatever the answer.',
    '',
    ...table(
      ['', 'Prediction', 'Verdict', 'Comparisons', 'MDE (rates)'],
      report.findings.map((f) => [
        f.id,
        f.title,
        `**${f.verdict}**`,
        String(f.evidence.length),
        f.mde === null ? '—' : diffText({ metric: 'passAtN' }, f.mde).replace('+', ''),
      ]),
    ),
    '',
    ...runSection(meta, report),
    ...readingSection(d),
    ...report.findings.flatMap(findingSection),
    ...powerSection(report),
    ...curveSection(meta, d.temperatures),
  ]
  if (meta.warnings.length > 0) lines.push('## Warnings from the analysis', '', ...meta.warnings.map((w) => `- ${w}`), '')
  return lines.join('\n').replace(/\n+$/, '') + '\n'
}
