import type { CellKey } from '../plugin-api/results.js'
import { bareName } from '../plugin-name.js'
import type { ResolvedConfig } from '../config/resolve-config.js'

/** One unit of work: train (unless base) and evaluate one model. */
export interface PlannedCell {
  cellId: string
  key: CellKey
}

/** Strategies whose training N′ is an axis (the others train with N′ = 1). */
export function usesTrainN(strategy: string): boolean {
  const short = bareName(strategy)
  return short.startsWith('bon') || ['vbon', 'bond', 'pass-at-k'].includes(short)
}

/** A stable, readable id: `<strategy>-n<N′>-t<T>-s<seed>`. */
export function cellIdOf(key: CellKey): string {
  const strategy = bareName(key.strategy).replace(/[^a-zA-Z0-9._-]/g, '_')
  return `${strategy}-n${key.nTrain}-t${key.temperature}-s${key.seed}`
}

/**
 * Expands the matrix: for each seed and temperature, the base model, then every strategy × N′
 * (N′ only for BoN-aware strategies); then the base model alone at each base-only temperature.
 * Order is deterministic: seeds, temperatures, strategies.
 */
export function planCells(config: Pick<ResolvedConfig, 'task' | 'model' | 'strategies' | 'nTrain' | 'temperatures' | 'seeds'> & Partial<Pick<ResolvedConfig, 'baseTemperatures'>>): PlannedCell[] {
  const cells: PlannedCell[] = []
  for (const seed of config.seeds) {
    for (const temperature of config.temperatures) {
      const base: CellKey = { task: config.task, model: config.model, strategy: 'base', nTrain: 1, temperature, seed }
      cells.push({ cellId: cellIdOf(base), key: base })
      for (const strategy of config.strategies) {
        const nTrains = usesTrainN(strategy) ? config.nTrain : [1]
        for (const nTrain of nTrains) {
          const key: CellKey = { task: config.task, model: config.model, strategy, nTrain, temperature, seed }
          cells.push({ cellId: cellIdOf(key), key })
        }
      }
    }
    for (const temperature of config.baseTemperatures ?? []) {
      const base: CellKey = { task: config.task, model: config.model, strategy: 'base', nTrain: 1, temperature, seed }
      cells.push({ cellId: cellIdOf(base), key: base })
    }
  }
  const seen = new Set<string>()
  return cells.filter((cell) => (seen.has(cell.cellId) ? false : (seen.add(cell.cellId), true)))
}
