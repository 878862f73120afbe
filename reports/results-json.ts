import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { CheckpointEval, SplitEval } from '../core/plugin-api/divergence.js'
import type { CellMetrics, PromptMetrics } from '../core/plugin-api/results.js'
import { cellLabel, varyingAxes } from '../core/summary/cell-label.js'
import { buildCharts } from './charts.js'
import { buildFrontier } from './frontier.js'
import { buildFrontierCharts } from './frontier-charts.js'
import { estimateOf, estimateOfMatrix } from './group-estimate.js'
import type { ComparisonRequest } from './comparisons.js'
import { compareGroups, comparisonMetrics } from './comparisons.js'
import type { CellGroup } from './groups.js'
import { groupCells, groupSelectionRules, selectionMatrix } from './groups.js'
import type { RunData } from '../core/run/run-record.js'
import type { Results, ResultsComparison, ResultsGroup } from './results-schema.js'
import { RESULTS_VERSION } from './results-schema.js'

/** Knobs of {@link buildResults}; defaults come from the run's config (`eval`), then these. */
export interface BuildResultsOptions {
  /** Bootstrap resamples (default: config eval.bootstrap, else 2000). */
  bootstrap?: number
  level?: number
  alpha?: number
  seed?: number
  /** Timestamp written as `generatedAt` (default now; tests pin it). */
  now?: Date
}

function configNumber(config: Record<string, unknown>, section: string, key: string): number | undefined {
  const value = (config[section] as Record<string, unknown> | undefined)?.[key]
  return typeof value === 'number' ? value : undefined
}

/** Copies exactly the schema's fields, so fields a newer core adds do not break the strict schema. */
function pickMetrics(m: CellMetrics): Results['cells'][number]['metrics'] {
  return {
    grid: m.grid,
    passAtN: m.passAtN,
    bestOfN: m.bestOfN,
    majorityAtN: m.majorityAtN,
    majorityStdErr: m.majorityStdErr,
    distinctAtN: m.distinctAtN,
    pass1: m.pass1,
    meanReward: m.meanReward,
    ci: { passAtN: m.ci.passAtN, bestOfN: m.ci.bestOfN, majorityAtN: m.ci.majorityAtN },
    threshold: m.threshold,
    ...(m.selection ? { selection: m.selection } : {}),
  }
}

function pickPrompt(p: PromptMetrics): Results['cells'][number]['prompts'][number] {
  return {
    promptId: p.promptId,
    passAtN: p.passAtN,
    bestOfN: p.bestOfN,
    majorityAtN: p.majorityAtN,
    pFail: p.pFail,
    ...(p.distinctAtN ? { distinctAtN: p.distinctAtN } : {}),
    ...(p.selection ? { selection: p.selection } : {}),
  }
}

function pickSplit(v: SplitEval): { metrics: Results['cells'][number]['metrics']; prompts: Results['cells'][number]['prompts'] } {
  return { metrics: pickMetrics(v.metrics), prompts: v.prompts.map(pickPrompt) }
}

/** A group's extra selection rules pooled over seeds (two-level bootstrap CIs), or undefined when the run asked for none. */
export function selectionEstimates(group: CellGroup, opts: { resamples: number; level: number; seed: number }): ResultsGroup['selection'] {
  const rules = groupSelectionRules(group)
  if (rules.length === 0) return undefined
  return rules.map(({ rule, label, absent }) => {
    if (absent !== undefined) return { rule, label, absent }
    const values = group.grid.map((n) => estimateOfMatrix(selectionMatrix(group, rule, n), opts, group.groupId))
    return { rule, label, values }
  })
}

function groupEstimates(group: CellGroup, opts: { resamples: number; level: number; seed: number }): ResultsGroup {
  const selection = selectionEstimates(group, opts)
  return {
    groupId: group.groupId,
    label: group.label,
    key: group.key,
    seeds: group.cells.map((c) => c.key.seed),
    cellIds: group.cells.map((c) => c.cellId),
    prompts: group.promptIds.length,
    grid: group.grid,
    pass1: estimateOf(group, 'pass1', 1, opts),
    passAtN: group.grid.map((n) => estimateOf(group, 'passAtN', n, opts)),
    bestOfN: group.grid.map((n) => estimateOf(group, 'bestOfN', n, opts)),
    majorityAtN: group.grid.map((n) => estimateOf(group, 'majorityAtN', n, opts)),
    ...(selection ? { selection } : {}),
  }
}

/** Same task, model and temperature: comparable groups. */
function sameContext(a: CellGroup, b: CellGroup): boolean {
  return a.key.task === b.key.task && a.key.model === b.key.model && a.key.temperature === b.key.temperature
}

function comparisonRequests(groups: readonly CellGroup[]): Array<ComparisonRequest & { kind: ResultsComparison['kind'] }> {
  const requests: Array<ComparisonRequest & { kind: ResultsComparison['kind'] }> = []
  const trained = groups.filter((g) => g.key.strategy !== 'base')
  for (const b of trained) {
    const base = groups.find((g) => g.key.strategy === 'base' && sameContext(g, b))
    if (!base) continue
    const grid = base.grid.filter((n) => b.grid.includes(n))
    for (const m of comparisonMetrics(grid)) requests.push({ kind: 'vs-base', a: base, b, ...m })
  }
  trained.forEach((a, i) => {
    for (const b of trained.slice(i + 1)) {
      if (!sameContext(a, b)) continue
      const grid = a.grid.filter((n) => b.grid.includes(n))
      for (const m of comparisonMetrics(grid)) requests.push({ kind: 'between-strategies', a, b, ...m })
    }
  })
  return requests
}

/**
 * Analyses a run into the results.json object (schema version {@link RESULTS_VERSION}): per-cell
 * metrics as journaled, seed-pooled groups with two-level bootstrap CIs (seeds and prompts),
 * every strategy against the base and against each other at the same temperature (paired
 * two-level bootstrap, Holm-corrected across all of them), co-scaling fits and chart series.
 * Runs at the end of a run and in `bench report`. Deterministic given the run and options.
 */
export function buildResults(run: RunData, options: BuildResultsOptions = {}): Results {
  const config = run.manifest.provenance.config
  const resamples = options.bootstrap ?? configNumber(config, 'eval', 'bootstrap') ?? 2000
  const level = options.level ?? 0.95
  const alpha = options.alpha ?? 0.05
  const seed = options.seed ?? 0
  const threshold = run.cells[0]?.metrics.threshold ?? configNumber(config, 'eval', 'threshold') ?? 1
  const labelKeys = run.manifest.cells.length > 0 ? run.manifest.cells.map((c) => c.key) : run.cells.map((c) => c.key)
  const grouped = groupCells(run.cells, labelKeys)
  const warnings = grouped.warnings
  const groups = grouped.groups.filter((g) => {
    if (g.promptIds.length === 0) warnings.push(`${g.groupId}: its seeds share no prompt; left out of pooled numbers`)
    return g.promptIds.length > 0
  })
  const boot = { resamples, level, seed }
  const checkpointEvals: ReadonlyMap<string, readonly CheckpointEval[]> = run.checkpointEvals ?? new Map()
  const estimates = new Map(
    groups.map((g) => {
      const frontier = buildFrontier(g, checkpointEvals, boot)
      return [g.groupId, frontier ? { ...groupEstimates(g, boot), frontier } : groupEstimates(g, boot)]
    }),
  )

  const requests = comparisonRequests(groups)
  const outcomes = compareGroups(requests, { alpha, level, resamples, seed })
  const kindOf = new Map(requests.map((r) => [`${r.a.groupId}|${r.b.groupId}|${r.metric}|${r.n}`, r.kind]))
  const comparisons: ResultsComparison[] = outcomes.map((o) => ({
    kind: kindOf.get(`${o.a}|${o.b}|${o.metric}|${o.n}`)!,
    a: o.a,
    b: o.b,
    metric: o.metric,
    n: o.n,
    diff: o.diff,
    ci: o.ci,
    p: o.p,
    pHolm: o.pHolm,
    significant: o.significant,
  }))

  const axes = varyingAxes(labelKeys)
  const keyOf = new Map(run.manifest.cells.map((c) => [c.cellId, c.key]))
  for (const c of run.cells) keyOf.set(c.cellId, c.key)
  const labelOf = (cellId: string) => (keyOf.has(cellId) ? cellLabel(keyOf.get(cellId)!, axes) : cellId)
  const { charts, coScaling } = buildCharts(groups, estimates, run.training, labelOf)
  charts.push(...buildFrontierCharts([...estimates.values()]))

  const groupOf = new Map(groups.flatMap((g) => g.cells.map((c) => [c.cellId, g.groupId] as const)))
  if (run.badLines.length > 0) warnings.push(`${run.badLines.length} bad journal line(s) skipped: ${run.badLines.map((b) => b.line).join(', ')}`)
  const m = run.manifest
  return {
    schema: 'bonbench/results',
    version: RESULTS_VERSION,
    generatedAt: (options.now ?? new Date()).toISOString(),
    run: { runId: m.runId, createdAt: m.createdAt, plannedCells: m.cells.length },
    provenance: m.provenance,
    settings: { level, alpha, bootstrap: resamples, threshold },
    cells: run.cells.map((c) => ({
      cellId: c.cellId,
      groupId: groupOf.get(c.cellId)!,
      key: c.key,
      metrics: pickMetrics(c.metrics),
      prompts: c.prompts.map(pickPrompt),
      compute: {
        samplesDrawn: c.compute.samplesDrawn,
        tokensGenerated: c.compute.tokensGenerated,
        tokensTrained: c.compute.tokensTrained,
        wallMs: c.compute.wallMs,
      },
      trainingSteps: (run.training.get(c.cellId) ?? c.training).length,
      ...(c.checkpoint !== undefined ? { checkpoint: c.checkpoint } : {}),
      ...(c.kl !== undefined ? { kl: c.kl } : {}),
      ...(checkpointEvals.get(c.cellId)?.length
        ? {
            checkpoints: checkpointEvals.get(c.cellId)!.map((e) => ({
              ...e,
              metrics: pickMetrics(e.metrics),
              prompts: e.prompts.map(pickPrompt),
              ...(e.validation ? { validation: pickSplit(e.validation) } : {}),
            })),
          }
        : {}),
      ...(c.validation !== undefined ? { validation: pickSplit(c.validation) } : {}),
      ...(c.usage !== undefined ? { usage: { ...c.usage } } : {}),
    })),
    groups: groups.map((g) => estimates.get(g.groupId)!),
    comparisons,
    coScaling,
    charts,
    prepare: run.prepare,
    errors: run.errors,
    warnings,
  }
}

/** Writes `<runDir>/results.json` (or `outFile`), pretty-printed. Returns the path written. */
export async function writeResultsJson(runDir: string, results: Results, outFile = path.join(runDir, 'results.json')): Promise<string> {
  await writeFile(outFile, JSON.stringify(results, null, 2) + '\n')
  return outFile
}
