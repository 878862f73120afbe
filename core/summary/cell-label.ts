import type { CellKey } from '../plugin-api/results.js'

/** Which matrix axes take more than one value in a run: only those are worth printing. */
export interface VaryingAxes {
  task: boolean
  model: boolean
  nTrain: boolean
  temperature: boolean
  seed: boolean
}

/**
 * Finds the axes that vary across `keys` (the plan's cells). Runs once per run start; with no
 * keys every axis counts as varying, so labels stay unambiguous.
 */
export function varyingAxes(keys: readonly CellKey[]): VaryingAxes {
  const differs = (pick: (k: CellKey) => unknown): boolean => keys.length === 0 || new Set(keys.map(pick)).size > 1
  return {
    task: differs((k) => k.task),
    model: differs((k) => k.model),
    // N′ is shown whenever some trained strategy uses N′ > 1: it names the method.
    nTrain: keys.length === 0 || keys.some((k) => k.nTrain > 1),
    temperature: differs((k) => k.temperature),
    seed: differs((k) => k.seed),
  }
}

/**
 * A short human label for a cell, such as `bon-rl N'=4 T=0.7 s1`, naming only the axes that vary
 * (and the learning rate of a cell on a learning-rate axis: `rl lr=0.0001`).
 * Set `withSeed: false` for rows that average over seeds (the summary table).
 */
export function cellLabel(key: CellKey, axes: VaryingAxes, options: { withSeed?: boolean } = {}): string {
  const parts: string[] = []
  if (axes.task) parts.push(key.task)
  if (axes.model) parts.push(key.model)
  parts.push(key.strategy)
  if (axes.nTrain && key.nTrain > 1) parts.push(`N'=${key.nTrain}`)
  if (key.learningRate !== undefined) parts.push(`lr=${key.learningRate}`)
  if (axes.temperature) parts.push(`T=${key.temperature}`)
  if (axes.seed && options.withSeed !== false) parts.push(`s${key.seed}`)
  return parts.join(' ')
}
