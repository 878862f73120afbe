import { coScalingPredict, fitCoScaling } from '../core/metrics/co-scaling.js'
import type { TrainStepLog } from '../core/plugin-api/results.js'
import type { CellGroup } from './groups.js'
import { perPromptMean } from './groups.js'
import type { Results, ResultsChart, ResultsGroup } from './results-schema.js'

type Series = ResultsChart['series'][number]

/** Groups of one (task, model, temperature): the curves and scatter share axes within it. */
interface Context {
  title: string
  groups: Array<{ group: CellGroup; estimates: ResultsGroup }>
}

function contexts(groups: readonly CellGroup[], estimates: ReadonlyMap<string, ResultsGroup>): Context[] {
  const byKey = new Map<string, Context>()
  const many = (pick: (g: CellGroup) => unknown) => new Set(groups.map(pick)).size > 1
  const showTask = many((g) => g.key.task)
  const showModel = many((g) => g.key.model)
  for (const group of groups) {
    const id = `${group.key.task}|${group.key.model}|${group.key.temperature}`
    if (!byKey.has(id)) {
      const parts = [showTask ? group.key.task : '', showModel ? group.key.model : '', `T=${group.key.temperature}`].filter(Boolean)
      byKey.set(id, { title: parts.join(' · '), groups: [] })
    }
    byKey.get(id)!.groups.push({ group, estimates: estimates.get(group.groupId)! })
  }
  return [...byKey.values()]
}

function curveChart(id: string, kind: 'bon-curve' | 'pass-curve', ctx: Context): ResultsChart {
  const metric = kind === 'bon-curve' ? 'bestOfN' : 'passAtN'
  return {
    id,
    kind,
    title: `${kind === 'bon-curve' ? 'Bo-N accuracy' : 'pass@N'} — ${ctx.title}`,
    xLabel: 'N',
    yLabel: kind === 'bon-curve' ? 'Bo-N accuracy' : 'pass@N',
    xScale: 'log2',
    series: ctx.groups.map(({ group, estimates }) => ({
      label: group.label,
      source: group.groupId,
      style: 'line' as const,
      points: estimates.grid.map((n, i) => ({ x: n, y: estimates[metric][i]!.value, low: estimates[metric][i]!.ci[0], high: estimates[metric][i]!.ci[1] })),
    })),
  }
}

/**
 * One curve per selection rule and group, when the run asked for rules beyond Bo-N and maj@N
 * (eval.selectionRules): Bo-N, maj@N and each computed rule against N, with CIs. Undefined when no
 * group of the context has extra rules.
 */
function selectionChart(id: string, ctx: Context): ResultsChart | undefined {
  if (!ctx.groups.some(({ estimates }) => estimates.selection)) return undefined
  const line = (label: string, source: string, grid: readonly number[], values: ReadonlyArray<{ value: number; ci: readonly [number, number] }>): Series => ({
    label,
    source,
    style: 'line',
    points: grid.map((n, i) => ({ x: n, y: values[i]!.value, low: values[i]!.ci[0], high: values[i]!.ci[1] })),
  })
  const series = ctx.groups.flatMap(({ group, estimates }) => [
    line(`${group.label} · Bo-N`, group.groupId, estimates.grid, estimates.bestOfN),
    line(`${group.label} · maj@N`, group.groupId, estimates.grid, estimates.majorityAtN),
    ...(estimates.selection ?? []).flatMap((rule) =>
      'values' in rule ? [line(`${group.label} · ${rule.label}`, group.groupId, estimates.grid, rule.values)] : [],
    ),
  ])
  return {
    id,
    kind: 'selection-curve',
    title: `Selection rules — ${ctx.title}`,
    xLabel: 'N',
    yLabel: "mean reward of the rule's pick",
    xScale: 'log2',
    series,
  }
}

function difficultyChart(id: string, ctx: Context): ResultsChart | undefined {
  const base = ctx.groups.find((g) => g.group.key.strategy === 'base')?.group
  const trained = ctx.groups.filter((g) => g.group.key.strategy !== 'base').map((g) => g.group)
  if (!base || trained.length === 0) return undefined
  const series: Series[] = []
  let nShown = 0
  for (const group of trained) {
    const n = Math.max(...group.grid)
    nShown = Math.max(nShown, n)
    const prompts = base.promptIds.filter((id) => group.promptIds.includes(id))
    const x = perPromptMean(base, 'pass1', 1, prompts)
    const y = perPromptMean(group, 'passAtN', n, prompts)
    series.push({
      label: `${group.label} (pass@${n})`,
      source: group.groupId,
      style: 'scatter',
      points: prompts.map((promptId, i) => ({ x: x[i]!, y: y[i]!, label: promptId })),
    })
  }
  return {
    id,
    kind: 'difficulty',
    title: `Per-prompt difficulty — ${ctx.title}`,
    xLabel: 'base pass@1',
    yLabel: `trained pass@N (largest N, ${nShown})`,
    xScale: 'linear',
    series,
  }
}

function trainingCharts(training: ReadonlyMap<string, TrainStepLog[]>, labelOf: (cellId: string) => string): ResultsChart[] {
  const entries = [...training.entries()].filter(([, logs]) => logs.length > 0)
  if (entries.length === 0) return []
  const loss: ResultsChart = {
    id: 'training-loss',
    kind: 'training',
    title: 'Training loss',
    xLabel: 'step',
    yLabel: 'loss',
    xScale: 'linear',
    series: entries.map(([cellId, logs]) => ({
      label: labelOf(cellId),
      source: cellId,
      style: 'line' as const,
      points: logs.filter((l) => Number.isFinite(l.loss)).map((l) => ({ x: l.step, y: l.loss })),
    })),
  }
  const withReward = entries.filter(([, logs]) => logs.some((l) => typeof l.reward === 'number'))
  if (withReward.length === 0) return [loss]
  const reward: ResultsChart = {
    id: 'training-reward',
    kind: 'training',
    title: 'Mean reward of the policy samples during training',
    xLabel: 'step',
    yLabel: 'mean reward',
    xScale: 'linear',
    series: withReward.map(([cellId, logs]) => ({
      label: labelOf(cellId),
      source: cellId,
      style: 'line' as const,
      points: logs.filter((l) => typeof l.reward === 'number' && Number.isFinite(l.reward)).map((l) => ({ x: l.step, y: l.reward! })),
    })),
  }
  return [loss, reward]
}

/** N values where a fitted co-scaling curve is drawn: a smooth geometric ladder from 1 to max N. */
function fitLadder(maxN: number): number[] {
  const xs: number[] = []
  for (let e = 0; 2 ** (e / 4) <= maxN + 1e-9; e++) xs.push(Math.round(2 ** (e / 4) * 1000) / 1000)
  return xs
}

function coScaling(groups: readonly CellGroup[], estimates: ReadonlyMap<string, ResultsGroup>): { charts: ResultsChart[]; section: Results['coScaling'] } {
  const families = new Map<string, CellGroup[]>()
  for (const g of groups) {
    // A learning-rate axis (matrix.learningRates) makes one family per rate: their curves differ.
    const id = `${g.key.task}|${g.key.model}|${g.key.strategy}|${g.key.nTrain}|${g.key.learningRate ?? ''}`
    if (!families.has(id)) families.set(id, [])
    families.get(id)!.push(g)
  }
  const charts: ResultsChart[] = []
  const section: Results['coScaling'] = { fits: [], bestTemperature: [] }
  const manyTemperatures = new Set(groups.map((g) => g.key.temperature)).size > 1
  let index = 0
  for (const members of families.values()) {
    members.sort((a, b) => a.key.temperature - b.key.temperature)
    const name = members[0]!.label.replace(/\s*T=[^\s]+/, '')
    const series: Series[] = []
    for (const g of members) {
      const est = estimates.get(g.groupId)!
      const points = est.grid.map((n, i) => ({ x: n, y: est.passAtN[i]!.value }))
      series.push({ label: `T=${g.key.temperature}`, source: g.groupId, style: 'line', points })
      const fit = fitCoScaling(points.map((p) => ({ n: p.x, passAtN: p.y })))
      section.fits.push({ group: name, temperature: g.key.temperature, a: fit.state === 'fitted' ? fit.a : null, b: fit.state === 'fitted' ? fit.b : null })
      if (fit.state === 'fitted') {
        series.push({
          label: `fit T=${g.key.temperature}`,
          source: g.groupId,
          style: 'fit',
          points: fitLadder(Math.max(...est.grid)).map((n) => ({ x: n, y: coScalingPredict(fit, n) })),
        })
      }
    }
    const grid = estimates.get(members[0]!.groupId)!.grid.filter((n) => members.every((g) => estimates.get(g.groupId)!.grid.includes(n)))
    for (const n of grid) {
      let best = { temperature: NaN, passAtN: -1 }
      for (const g of members) {
        const est = estimates.get(g.groupId)!
        const value = est.passAtN[est.grid.indexOf(n)]!.value
        if (value > best.passAtN) best = { temperature: g.key.temperature, passAtN: value }
      }
      section.bestTemperature.push({ group: name, n, ...best })
    }
    // One temperature in the whole run: nothing to co-scale (report.md says so); the fits stay in the section.
    if (!manyTemperatures) continue
    charts.push({
      id: `co-scaling-${index++}`,
      kind: 'co-scaling',
      title: `Co-scaling across temperatures — ${name}`,
      xLabel: 'N',
      yLabel: 'pass@N',
      xScale: 'log2',
      series,
    })
  }
  return { charts, section }
}

/**
 * Builds every chart of results.json (and the co-scaling section) from the seed-pooled groups and
 * the training logs. Runs once per results.json. Guarantees: chart ids are unique, and each series
 * holds exactly the points the HTML draws.
 */
export function buildCharts(
  groups: readonly CellGroup[],
  estimates: ReadonlyMap<string, ResultsGroup>,
  training: ReadonlyMap<string, TrainStepLog[]>,
  labelOf: (cellId: string) => string,
): { charts: ResultsChart[]; coScaling: Results['coScaling'] } {
  const charts: ResultsChart[] = []
  const ctxs = contexts(groups, estimates)
  ctxs.forEach((ctx, i) => charts.push(curveChart(`bon-curve-${i}`, 'bon-curve', ctx)))
  ctxs.forEach((ctx, i) => charts.push(curveChart(`pass-curve-${i}`, 'pass-curve', ctx)))
  ctxs.forEach((ctx, i) => {
    const chart = selectionChart(`selection-curve-${i}`, ctx)
    if (chart) charts.push(chart)
  })
  charts.push(...trainingCharts(training, labelOf))
  ctxs.forEach((ctx, i) => {
    const chart = difficultyChart(`difficulty-${i}`, ctx)
    if (chart) charts.push(chart)
  })
  const co = coScaling(groups, estimates)
  charts.push(...co.charts)
  return { charts, coScaling: co.section }
}
