import type { CellKey, CellResult } from '../core/plugin-api/results.js'
import { cellLabel, varyingAxes } from '../core/summary/cell-label.js'

/** A cell key without the seed: what seeds are pooled over. */
export type GroupKeyOf = Omit<CellKey, 'seed'>

/** Metrics a comparison or an estimate can be taken of. `pass1` has no N. */
export type MetricName = 'pass1' | 'passAtN' | 'bestOfN' | 'majorityAtN'

/** A readable name for a metric at N: `pass@1`, `pass@8`, `Bo-8`. */
export function metricLabel(metric: Exclude<MetricName, 'majorityAtN'>, n: number): string {
  return metric === 'pass1' ? 'pass@1' : metric === 'passAtN' ? `pass@${n}` : `Bo-${n}`
}

/** The cells of one group (same key but the seed), with the prompts and N they all share. */
export interface CellGroup {
  groupId: string
  key: GroupKeyOf
  label: string
  cells: CellResult[]
  /** Prompt ids evaluated in every cell of the group, in the first cell's order. */
  promptIds: string[]
  /** N values every cell of the group reports. */
  grid: number[]
}

/** The id of a group: `task/model/strategy/n<N′>/t<T>`, with `/lr<rate>` after N′ on a learning-rate axis. */
export function groupIdOf(key: GroupKeyOf): string {
  const lr = key.learningRate !== undefined ? `/lr${key.learningRate}` : ''
  return `${key.task}/${key.model}/${key.strategy}/n${key.nTrain}${lr}/t${key.temperature}`
}

/** The key without its seed. */
export function groupKeyOf(key: CellKey): GroupKeyOf {
  const out: GroupKeyOf = { task: key.task, model: key.model, strategy: key.strategy, nTrain: key.nTrain, temperature: key.temperature }
  if (key.learningRate !== undefined) out.learningRate = key.learningRate
  return out
}

/**
 * Groups finished cells by key without the seed, in first-seen order (base groups first within
 * that order). Runs once per report or comparison. `labelKeys` decides which axes labels name
 * (default: the cells' own keys). Warnings name cells whose prompts or grid differ from their group's.
 */
export function groupCells(cells: readonly CellResult[], labelKeys: readonly CellKey[] = cells.map((c) => c.key)): { groups: CellGroup[]; warnings: string[] } {
  const axes = varyingAxes(labelKeys)
  const byId = new Map<string, CellResult[]>()
  for (const cell of cells) {
    const id = groupIdOf(groupKeyOf(cell.key))
    if (!byId.has(id)) byId.set(id, [])
    byId.get(id)!.push(cell)
  }
  const warnings: string[] = []
  const groups: CellGroup[] = []
  for (const [groupId, members] of byId) {
    members.sort((a, b) => a.key.seed - b.key.seed)
    const first = members[0]!
    const grid = first.metrics.grid.filter((n) => members.every((c) => c.metrics.grid.includes(n)))
    const promptIds = first.prompts.map((p) => p.promptId).filter((id) => members.every((c) => c.prompts.some((p) => p.promptId === id)))
    for (const c of members) {
      if (c.prompts.length !== promptIds.length)
        warnings.push(`${c.cellId}: ${c.prompts.length - promptIds.length} prompt(s) not shared by every seed of ${groupId} are left out of pooled numbers`)
      if (c.metrics.grid.length !== grid.length) warnings.push(`${c.cellId}: N values not shared by every seed of ${groupId} are left out of pooled numbers`)
    }
    groups.push({ groupId, key: groupKeyOf(first.key), label: cellLabel(first.key, axes, { withSeed: false }), cells: members, promptIds, grid })
  }
  const baseFirst = groups.filter((g) => g.key.strategy === 'base').concat(groups.filter((g) => g.key.strategy !== 'base'))
  return { groups: baseFirst, warnings }
}

/** Per-prompt pass@1 of a cell: pass@N at N = 1 where the grid has it, else 1 − pFail. */
function pass1Of(cell: CellResult, promptIndex: number): number {
  const at1 = cell.metrics.grid.indexOf(1)
  const prompt = cell.prompts[promptIndex]!
  return at1 >= 0 ? prompt.passAtN[at1]! : 1 - prompt.pFail
}

/**
 * The `values[seed][prompt]` matrix of one metric for a group, over `promptIds` (each must be in
 * every cell; use the intersection of two groups' prompts when comparing). `n` is ignored for pass1.
 */
export function metricMatrix(group: CellGroup, metric: MetricName, n: number, promptIds: readonly string[] = group.promptIds): number[][] {
  return group.cells.map((cell) => {
    const index = new Map(cell.prompts.map((p, i) => [p.promptId, i]))
    const at = cell.metrics.grid.indexOf(n)
    return promptIds.map((id) => {
      const i = index.get(id)
      if (i === undefined) throw new Error(`prompt ${id} missing from ${cell.cellId}`)
      if (metric === 'pass1') return pass1Of(cell, i)
      if (at < 0) throw new Error(`N = ${n} missing from ${cell.cellId}`)
      return cell.prompts[i]![metric][at]!
    })
  })
}

/**
 * The extra selection rules of a group (eval.selectionRules), in the first cell's order: each
 * rule's id and label, and `absent` (the first reason) when any cell of the group lacks its values.
 */
export function groupSelectionRules(group: CellGroup): Array<{ rule: string; label: string; absent?: string }> {
  const first = group.cells[0]!.metrics.selection ?? []
  return first.map((curve) => {
    const reasons = group.cells.map((c) => {
      const own = c.metrics.selection?.find((s) => s.rule === curve.rule)
      return !own ? `${c.cellId} has no ${curve.rule}` : own.state === 'absent' ? own.reason : undefined
    })
    const absent = reasons.find((r) => r !== undefined)
    return absent === undefined ? { rule: curve.rule, label: curve.label } : { rule: curve.rule, label: curve.label, absent }
  })
}

/** The `values[seed][prompt]` matrix of one selection rule at N, like {@link metricMatrix}; every cell must have the rule computed. */
export function selectionMatrix(group: CellGroup, rule: string, n: number, promptIds: readonly string[] = group.promptIds): number[][] {
  return group.cells.map((cell) => {
    const index = new Map(cell.prompts.map((p, i) => [p.promptId, i]))
    const at = cell.metrics.grid.indexOf(n)
    if (at < 0) throw new Error(`N = ${n} missing from ${cell.cellId}`)
    return promptIds.map((id) => {
      const values = cell.prompts[index.get(id) ?? -1]?.selection?.[rule]
      if (!values) throw new Error(`${rule} of prompt ${id} missing from ${cell.cellId}`)
      return values[at]!
    })
  })
}

/** Mean over seeds of a metric per prompt (for scatter plots), aligned with `promptIds`. */
export function perPromptMean(group: CellGroup, metric: MetricName, n: number, promptIds: readonly string[] = group.promptIds): number[] {
  const matrix = metricMatrix(group, metric, n, promptIds)
  return promptIds.map((_, p) => matrix.reduce((s, row) => s + row[p]!, 0) / matrix.length)
}

/** Grand mean of a matrix (every entry weighs the same). */
export function grandMean(values: readonly (readonly number[])[]): number {
  let s = 0
  let k = 0
  for (const row of values) {
    for (const v of row) {
      s += v
      k++
    }
  }
  return s / k
}

/** Prompt ids two groups share, in the first group's order. */
export function sharedPrompts(a: CellGroup, b: CellGroup): string[] {
  const inB = new Set(b.promptIds)
  return a.promptIds.filter((id) => inB.has(id))
}
