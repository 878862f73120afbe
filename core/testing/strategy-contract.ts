import { isDeepStrictEqual } from 'node:util'
import { selectionJudges } from '../plugin-api/index.js'
import type { StrategyNeeds, StrategyOutput, StrategyPlugin } from '../plugin-api/strategy.js'
import { createRng, deriveSeed } from '../rng.js'
import { lambdaFor } from '../train/lambda.js'
import { ContractCollector, type ContractReport, type FailFn } from './contract-report.js'
import { checkPluginShape, pluginLabel } from './plugin-shape.js'
import { LifecycleHarness } from './lifecycle-checks.js'
import { strategyNeeds } from '../plugin-api-checks/check-weights.js'
import { groupScenarios, scoredGroup, type GroupScenario } from './scored-groups.js'

/** Settings of {@link checkStrategyContract}. */
export interface StrategyContractOptions {
  /** Check ids to leave out (reported as skipped). */
  skip?: readonly string[]
  /** The N′ values to check (default [1, 2, 4]). */
  nTrain?: readonly number[]
  /** Random groups per (N′, scenario) (default 3). */
  groups?: number
  /** Seed of the generated groups and rng streams (default 1). */
  seed?: number
  /** Scenarios to check (default: all of {@link groupScenarios}). */
  scenarios?: readonly GroupScenario[]
}

/**
 * The strategy contract (core/plugin-api/strategy.ts): `needs` gives non-negative integer sample
 * counts (and the same answer twice); `weights` — on generated groups shaped by `needs`, for every
 * N′ and scenario (mixed, all-correct, none-correct, tied scores, oracle scores, duplicate texts,
 * continuous rewards, which a rule defined for binary rewards may refuse instead, throwing
 * BENCH_DATA_INVALID) — returns finite weights on sequences whose prompt is the problem's and whose
 * completion is one of the group's (policy, reference or expert), is pure (same group and rng seed →
 * the same output) and leaves the group untouched; `selection` is one of 'reward' | 'verifier' |
 * 'none', and a strategy declaring 'none' reports no BoN picks (`stats.picks`, where it counts
 * them); a strategy that does not declare `usesNTrain` shows no dependence on N′ in its needs or
 * its weights of one group (`uses-n-train`: else a run would train it at N′ = 1 only, silently
 * another rule). Whether the picks follow the declared judge depends on the rule, so each rule proves
 * that with its own brute-force test on groups where r and R disagree. Never throws for a broken plugin.
 */
export async function checkStrategyContract(plugin: StrategyPlugin, opts: StrategyContractOptions = {}): Promise<ContractReport> {
  const collector = new ContractCollector(pluginLabel(plugin), 'strategy', new Set(opts.skip))
  if (!(await checkPluginShape(plugin, 'strategy', collector))) return collector.report()
  const nTrains = opts.nTrain ?? [1, 2, 4]
  const seed = opts.seed ?? 1
  const scenarios = opts.scenarios ?? groupScenarios
  const life = new LifecycleHarness(plugin, collector, 60_000)
  if (!(await life.start())) {
    await life.end()
    return collector.report()
  }
  try {
    const needsByN = new Map<number, StrategyNeeds>()
    await collector.run('needs', (fail) => {
      for (const nTrain of nTrains) {
        // The check the core makes wherever it asks a strategy for its needs (plan, dry run, trainer).
        let needs: StrategyNeeds
        try {
          needs = strategyNeeds(plugin, nTrain)
        } catch (error) {
          fail((error as Error).message)
          continue
        }
        needsByN.set(nTrain, needs)
        if (!isDeepStrictEqual(plugin.needs({ nTrain }), needs)) fail(`needs({ nTrain: ${nTrain} }) answered differently on a second call: it must be pure`)
      }
    })

    await collector.run('selection', (fail) => {
      const selection: unknown = plugin.selection
      if (!(selectionJudges as readonly unknown[]).includes(selection)) {
        return fail(
          `selection is ${JSON.stringify(selection) ?? String(selection)}: set it to the judge that picks the BoN winner of each subset, 'reward' (R), 'verifier' (r) or 'none' (no picks)`,
        )
      }
      if (selection !== 'none') return
      for (const [nTrain, needs] of needsByN) {
        for (const scenario of scenarios) {
          const groupSeed = deriveSeed(seed, nTrain, scenario, 0)
          let out: StrategyOutput
          try {
            out = plugin.weights(scoredGroup(needs, scenario, createRng(groupSeed)), {
              nTrain,
              lambda: lambdaFor(nTrain),
              rng: createRng(deriveSeed(groupSeed, 'rng')),
            })
          } catch {
            continue // reported under 'weights'
          }
          const picks = out?.stats?.picks
          if (typeof picks === 'number' && picks > 0)
            fail(
              `N′ = ${nTrain}, ${scenario} group: declares selection 'none' but reports ${picks} BoN picks (stats.picks): declare the judge that picks them, 'reward' or 'verifier'`,
            )
        }
      }
    })

    await collector.run('uses-n-train', (fail) => {
      // A non-boolean fails 'shape' (the loader's check); declared either way, the author has decided.
      if (plugin.usesNTrain !== undefined) return
      const depends = nTrainDependence(plugin, needsByN, seed)
      if (depends)
        fail(
          `${depends} depend on N′, but the strategy does not declare usesNTrain, so a run trains it at N′ = 1 only, whatever matrix.nTrain says: declare usesNTrain: true (the matrix's N′ axis applies to it) or usesNTrain: false (N′ = 1 on purpose)`,
        )
    })

    for (const check of ['weights', 'known-completions', 'weights-pure', 'no-mutation'] as const) {
      await collector.run(check, (fail) => {
        for (const [nTrain, needs] of needsByN) {
          for (const scenario of scenarios) {
            for (let g = 0; g < (opts.groups ?? 3); g++) {
              const where = `N′ = ${nTrain}, ${scenario} group ${g}`
              const groupSeed = deriveSeed(seed, nTrain, scenario, g)
              const group = scoredGroup(needs, scenario, createRng(groupSeed))
              const params = () => ({ nTrain, lambda: lambdaFor(nTrain), rng: createRng(deriveSeed(groupSeed, 'rng')) })
              const snapshot = structuredClone(group)
              let out: StrategyOutput
              try {
                out = plugin.weights(group, params())
              } catch (error) {
                // A rule defined for binary rewards may refuse a graded one, by name (bon-rlb's g⁺/g⁻):
                // BENCH_DATA_INVALID is a refusal, not a failure, in that scenario alone.
                if (scenario === 'continuous-reward' && (error as { code?: unknown })?.code === 'BENCH_DATA_INVALID') continue
                // Reported once, under 'weights'; the other checks need an output to look at.
                if (check === 'weights') fail(`${where}: weights() threw ${(error as Error)?.message ?? String(error)}`)
                continue
              }
              if (check === 'weights') checkOutput(out, where, fail)
              if (check === 'known-completions') {
                const known = new Set([...group.policy, ...(group.reference ?? [])].map((s) => s.completion))
                if (group.expert !== undefined) known.add(group.expert)
                for (const s of out?.sequences ?? []) {
                  if (s.prompt !== group.problem.prompt) fail(`${where}: a sequence has prompt ${JSON.stringify(s.prompt)}, not the problem's prompt`)
                  if (!known.has(s.completion))
                    fail(`${where}: a sequence's completion ${JSON.stringify(s.completion)} is not in the group (policy, reference or expert)`)
                }
              }
              if (check === 'weights-pure') {
                const again = plugin.weights(structuredClone(snapshot), params())
                if (!isDeepStrictEqual(again, out))
                  fail(`${where}: the same group and rng seed gave a different output: weights() must be pure (draw randomness from params.rng only)`)
              }
              if (check === 'no-mutation' && !isDeepStrictEqual(group, snapshot))
                fail(`${where}: weights() changed the group it was given: copy before sorting or editing`)
            }
          }
        }
      })
    }
  } finally {
    await life.end(async () => {
      plugin.needs({ nTrain: 1 })
    })
  }
  return collector.report()
}

/**
 * What of the strategy depends on N′ over the checked values, if anything: its `needs`, or its
 * `weights` of one group given each N′ (with that N′'s λ and the same rng seed). A weights call that
 * throws (a group too small for that N′) is left out. Undefined: nothing seen to depend on N′.
 */
function nTrainDependence(plugin: StrategyPlugin, needsByN: ReadonlyMap<number, StrategyNeeds>, seed: number): string | undefined {
  const entries = [...needsByN]
  if (entries.length < 2) return undefined
  const [n0, needs0] = entries[0]!
  const other = entries.find(([, needs]) => !isDeepStrictEqual(needs, needs0))
  if (other) return `its needs (N′ = ${n0}: ${JSON.stringify(needs0)}; N′ = ${other[0]}: ${JSON.stringify(other[1])})`
  const groupSeed = deriveSeed(seed, 'uses-n-train')
  const group = scoredGroup(needs0, 'mixed', createRng(groupSeed))
  let first: { nTrain: number; out: StrategyOutput } | undefined
  for (const [nTrain] of entries) {
    let out: StrategyOutput
    try {
      out = plugin.weights(structuredClone(group), { nTrain, lambda: lambdaFor(nTrain), rng: createRng(deriveSeed(groupSeed, 'rng')) })
    } catch {
      continue // reported under 'weights'
    }
    if (!first) first = { nTrain, out }
    else if (!isDeepStrictEqual(out, first.out)) return `its weights of the same group (N′ = ${first.nTrain} and ${nTrain})`
  }
  return undefined
}

function checkOutput(out: StrategyOutput, where: string, fail: FailFn): void {
  if (!out || typeof out !== 'object' || !Array.isArray(out.sequences)) return fail(`${where}: weights() must return { sequences: WeightedSequence[] }`)
  out.sequences.forEach((s, i) => {
    if (typeof s?.completion !== 'string' || typeof s?.prompt !== 'string') fail(`${where}: sequences[${i}] needs string prompt and completion`)
    if (typeof s?.weight !== 'number' || !Number.isFinite(s.weight)) fail(`${where}: sequences[${i}].weight must be finite, got ${String(s?.weight)}`)
  })
  if (out.stats !== undefined) {
    for (const [key, value] of Object.entries(out.stats)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${where}: stats.${key} must be a finite number, got ${String(value)}`)
    }
  }
}
