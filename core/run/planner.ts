import type { CellKey } from '../plugin-api/results.js'
import { bareName } from '../plugin-name.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { ArmConfig } from '../config/types.js'

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

/** The strategy plugin a matrix name trains with: the arm's `strategy` for a named arm, else the name itself. */
export function strategyOfArm(name: string, arms: Readonly<Record<string, ArmConfig>> | undefined): string {
  return arms?.[name]?.strategy ?? name
}

/**
 * A stable, readable id: `<strategy>-n<N′>-t<T>-s<seed>`, with `-lr<rate>` after N′ only when
 * the key has a learning rate (runs with a learning-rate axis), so other runs keep their ids.
 */
export function cellIdOf(key: CellKey): string {
  const strategy = bareName(key.strategy).replace(/[^a-zA-Z0-9._-]/g, '_')
  const lr = key.learningRate !== undefined ? `-lr${key.learningRate}` : ''
  return `${strategy}-n${key.nTrain}${lr}-t${key.temperature}-s${key.seed}`
}

type PlanConfig = Pick<ResolvedConfig, 'task' | 'model' | 'strategies' | 'nTrain' | 'temperatures' | 'seeds'> &
  Partial<Pick<ResolvedConfig, 'baseTemperatures' | 'arms' | 'learningRates' | 'order'>>

/**
 * Expands the matrix: the base model, then every strategy (or named arm) × N′ (N′ only for
 * BoN-aware strategies) × learning rate (only with `learningRates`); then the base model alone at
 * each base-only temperature. Order is deterministic. Default ('seed-first'): seeds, temperatures,
 * strategies, N′, rates. 'strategy-first' (asked for by `matrix.order`): one pass per N′ in the order
 * listed — the first pass holds the base and the N′ = 1 strategies too — and within it strategies in
 * the order listed, then rates, temperatures, seeds; so an interrupted run has finished whole arms,
 * the first-listed first. A named arm may narrow its own N′ values (`nTrain`) and rates (`learningRates`).
 */
export function planCells(config: PlanConfig): PlannedCell[] {
  const cells: PlannedCell[] = []
  const push = (key: CellKey) => cells.push({ cellId: cellIdOf(key), key })
  const baseKey = (temperature: number, seed: number): CellKey => ({ task: config.task, model: config.model, strategy: 'base', nTrain: 1, temperature, seed })
  const rates: Array<number | undefined> = config.learningRates && config.learningRates.length > 0 ? [...config.learningRates] : [undefined]
  const trainedKey = (strategy: string, nTrain: number, learningRate: number | undefined, temperature: number, seed: number): CellKey => {
    const key: CellKey = { task: config.task, model: config.model, strategy, nTrain, temperature, seed }
    if (learningRate !== undefined) key.learningRate = learningRate
    return key
  }
  const nTrainsOf = (strategy: string): readonly number[] =>
    usesTrainN(strategyOfArm(strategy, config.arms)) ? (config.arms?.[strategy]?.nTrain ?? config.nTrain) : [1]
  const ratesOf = (strategy: string, nTrain: number): Array<number | undefined> => {
    const own = config.arms?.[strategy]?.learningRates
    if (!config.learningRates || !own) return rates
    return Array.isArray(own) ? own : (own[String(nTrain)] ?? rates)
  }
  if (config.order === 'strategy-first') {
    for (const temperature of config.temperatures) for (const seed of config.seeds) push(baseKey(temperature, seed))
    for (const temperature of config.baseTemperatures ?? []) for (const seed of config.seeds) push(baseKey(temperature, seed))
    config.nTrain.forEach((passN, pass) => {
      for (const strategy of config.strategies) {
        // An N′ of the matrix's grid goes in its own pass; any other (1, or an arm's own) in the first.
        const here = nTrainsOf(strategy).filter((n) => n === passN || (pass === 0 && !config.nTrain.includes(n)))
        for (const nTrain of here) {
          for (const lr of ratesOf(strategy, nTrain))
            for (const temperature of config.temperatures) for (const seed of config.seeds) push(trainedKey(strategy, nTrain, lr, temperature, seed))
        }
      }
    })
  } else {
    for (const seed of config.seeds) {
      for (const temperature of config.temperatures) {
        push(baseKey(temperature, seed))
        for (const strategy of config.strategies) {
          for (const nTrain of nTrainsOf(strategy)) {
            for (const lr of ratesOf(strategy, nTrain)) push(trainedKey(strategy, nTrain, lr, temperature, seed))
          }
        }
      }
      for (const temperature of config.baseTemperatures ?? []) push(baseKey(temperature, seed))
    }
  }
  const seen = new Set<string>()
  return cells.filter((cell) => (seen.has(cell.cellId) ? false : (seen.add(cell.cellId), true)))
}
