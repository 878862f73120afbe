import type { CellKey } from '../plugin-api/results.js'
import { bareName } from '../plugin-name.js'
import type { ResolvedConfig } from '../config/resolve-config.js'
import type { ArmConfig } from '../config/types.js'
import type { StrategyPlugin } from '../plugin-api/strategy.js'

/** One unit of work: train (unless base) and evaluate one model. */
export interface PlannedCell {
  cellId: string
  key: CellKey
}

/**
 * The strategies of a matrix as the planner reads them, by the name the matrix gives each (a
 * strategy or a named arm): `RunPlugins.strategies`. Only `usesNTrain` decides N′ (and `name`
 * goes into warnings); a strategy's name plays no part.
 */
export type PlanStrategies = ReadonlyMap<string, Pick<StrategyPlugin, 'name' | 'usesNTrain'>>

/**
 * Whether a strategy trains over the matrix's N′ axis: it declares `usesNTrain: true`. Any other
 * (false, absent, or no plugin given) trains with N′ = 1.
 */
export function usesTrainN(strategy: Pick<StrategyPlugin, 'usesNTrain'> | undefined): boolean {
  return strategy?.usesNTrain === true
}

/**
 * The warnings a run with these strategies prints at its start (and its dry run): a strategy that
 * trains at N′ = 1 while the N′ values asked of it hold one above 1 — one that does not declare
 * `usesNTrain` (its author may not know that only the declaration gives it the matrix's N′ axis),
 * or a named arm giving its own `nTrain` to a strategy declaring `usesNTrain: false`. A strategy
 * declaring false gets no warning for `matrix.nTrain`, which it does not use by design (sft, rl).
 */
export function nTrainWarnings(
  config: Pick<ResolvedConfig, 'strategies' | 'nTrain'> & Partial<Pick<ResolvedConfig, 'arms'>>,
  strategies: PlanStrategies,
): string[] {
  const lines: string[] = []
  for (const name of config.strategies) {
    const plugin = strategies.get(name)
    if (!plugin || usesTrainN(plugin)) continue
    const own = config.arms?.[name]?.nTrain
    const asked = own ?? config.nTrain
    if (!asked.some((n) => n !== 1)) continue
    const axis = own ? `matrix.arms.${name}.nTrain (${own.join(', ')})` : `matrix.nTrain (${asked.join(', ')})`
    const which = bareName(plugin.name) === name || plugin.name === name ? `strategy '${plugin.name}'` : `'${name}' (strategy '${plugin.name}')`
    if (plugin.usesNTrain === false) {
      if (own) lines.push(`${which} declares usesNTrain: false, so it trains at N′ = 1 only: ${axis} does not apply to it. Drop the arm's nTrain.`)
      continue
    }
    lines.push(
      `${which} trains at N′ = 1 only: it does not declare usesNTrain, so ${axis} does not apply to it. If its weights depend on N′, declare usesNTrain: true in the strategy (docs/plugins.md); declare usesNTrain: false to keep N′ = 1 without this warning.`,
    )
  }
  return lines
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
 * Expands the matrix: the base model, then every strategy (or named arm) × N′ (N′ only for the
 * strategies of `strategies` declaring `usesNTrain: true`; the others, and every strategy when
 * `strategies` is not given, train with N′ = 1) × learning rate (only with `learningRates`); then the base model alone at
 * each base-only temperature. Order is deterministic. Default ('seed-first'): seeds, temperatures,
 * strategies, N′, rates. 'strategy-first' (asked for by `matrix.order`): one pass per N′ in the order
 * listed — the first pass holds the base and the N′ = 1 strategies too — and within it strategies in
 * the order listed, then rates, temperatures, seeds; so an interrupted run has finished whole arms,
 * the first-listed first. A named arm may narrow its own N′ values (`nTrain`) and rates (`learningRates`).
 */
export function planCells(config: PlanConfig, strategies?: PlanStrategies): PlannedCell[] {
  const cells: PlannedCell[] = []
  const push = (key: CellKey) => cells.push({ cellId: cellIdOf(key), key })
  const baseKey = (temperature: number, seed: number): CellKey => ({ task: config.task, model: config.model, strategy: 'base', nTrain: 1, temperature, seed })
  const rates: Array<number | undefined> = config.learningRates && config.learningRates.length > 0 ? [...config.learningRates] : [undefined]
  const trainedKey = (strategy: string, nTrain: number, learningRate: number | undefined, temperature: number, seed: number): CellKey => {
    const key: CellKey = { task: config.task, model: config.model, strategy, nTrain, temperature, seed }
    if (learningRate !== undefined) key.learningRate = learningRate
    return key
  }
  const nTrainsOf = (strategy: string): readonly number[] => (usesTrainN(strategies?.get(strategy)) ? (config.arms?.[strategy]?.nTrain ?? config.nTrain) : [1])
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
