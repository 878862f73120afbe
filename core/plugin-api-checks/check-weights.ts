import type { WeightedSequence } from '../plugin-api/model.js'
import type { ScoredGroup, StrategyNeeds, StrategyOutput, StrategyPlugin } from '../plugin-api/strategy.js'
import { BenchError, isBenchError } from '../errors.js'
import { callHookSync, describeHookError } from '../run/hooks-in-flight.js'
import { describeValue, ignoreRejection, isThenable, pluginContractError } from './contract-error.js'

/**
 * Checks a strategy's `weights()` answer right where the trainer loop receives it: an object with
 * a `sequences` array whose every entry is a sequence the strategy was given (the group's prompt
 * with one of its policy, reference or expert completions) and a finite `weight`; `stats`, when
 * given, maps names to finite numbers. Throws BENCH_PLUGIN_CONTRACT naming the strategy, the call
 * (with step and prompt), what was expected and what came back; returns the output otherwise.
 */
export function checkStrategyOutput(strategy: StrategyPlugin, group: ScoredGroup, out: unknown, step: number): StrategyOutput {
  const call = `weights() at training step ${step} for prompt '${group.problem.id}'`
  const breach = (expected: string, got: string) => pluginContractError({ plugin: strategy.name, kind: 'strategy', call, expected, got })
  ignoreRejection(out)
  if (out === null || typeof out !== 'object' || isThenable(out)) throw breach('an object { sequences, stats? }', describeValue(out, 'weights'))
  if (Array.isArray(out)) throw breach('an object { sequences, stats? }', `an array of ${out.length} sequences (return { sequences })`)
  const output = out as Record<string, unknown>
  if (!Array.isArray(output.sequences)) throw breach('sequences to be an array of { prompt, completion, weight }', describeValue(output.sequences))
  const given = new Set<string>(group.policy.map((s) => s.completion))
  for (const s of group.reference ?? []) given.add(s.completion)
  if (group.expert !== undefined) given.add(group.expert)
  output.sequences.forEach((s: unknown, i) => {
    const where = `sequence ${i}`
    if (s === null || typeof s !== 'object') throw breach(`${where} to be an object { prompt, completion, weight }`, describeValue(s))
    const seq = s as Partial<WeightedSequence>
    if (typeof seq.weight !== 'number' || !Number.isFinite(seq.weight)) throw breach(`${where} to have a finite weight`, describeValue(seq.weight))
    if (seq.prompt !== group.problem.prompt)
      throw breach(`${where} to have the group's prompt (a strategy weights only the sequences it was given)`, `prompt ${describeValue(seq.prompt)}`)
    if (typeof seq.completion !== 'string' || !given.has(seq.completion)) {
      throw breach(
        `${where} to be one of the ${given.size} completion(s) of the group (policy, reference or expert samples)`,
        `completion ${describeValue(seq.completion)}, which the group does not hold`,
      )
    }
  })
  if (output.stats !== undefined) {
    if (output.stats === null || typeof output.stats !== 'object') throw breach('stats to be an object of numbers or absent', describeValue(output.stats))
    for (const [name, value] of Object.entries(output.stats)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw breach(`stats.${name} to be a finite number`, describeValue(value))
    }
  }
  return output as unknown as StrategyOutput
}

/**
 * A strategy's `needs({ nTrain })`, checked where the core asks for it (planning, the dry run, the
 * trainer, `bench weights`): sample counts that are integers ≥ 0, `expert` a boolean, `klBeta` a
 * finite number ≥ 0. Throws BENCH_PLUGIN_CONTRACT naming the strategy otherwise, before a model is
 * asked for NaN or a negative number of samples (which blamed the model, or trained on nothing and
 * passed). A needs() that throws is a broken plugin too: BENCH_PLUGIN_CONTRACT naming the strategy
 * and `needs()` (`strategy plugin 'x' needs() threw: …`, or `threw 42, not an Error` for a thrown
 * value that is not one), the thrown value as `cause`; a BenchError it throws (a built-in's
 * BENCH_RUN_INVALID for a K its N′ cannot use) names its source itself and passes as it is.
 */
export function strategyNeeds(strategy: StrategyPlugin, nTrain: number): StrategyNeeds {
  let out: unknown
  try {
    out = callHookSync(strategy, 'needs', () => strategy.needs({ nTrain }))
  } catch (error) {
    if (isBenchError(error)) throw error
    throw new BenchError(
      'BENCH_PLUGIN_CONTRACT',
      `${describeHookError(error).replace(/\.$/, '')} (asked with { nTrain: ${nTrain} }). This is a bug in the plugin: fix it or report it to its author.`,
      { cause: error },
    )
  }
  const breach = (expected: string, got: string) =>
    pluginContractError({ plugin: strategy.name, kind: 'strategy', call: `needs({ nTrain: ${nTrain} })`, expected, got })
  ignoreRejection(out)
  if (out === null || typeof out !== 'object' || isThenable(out) || Array.isArray(out))
    throw breach('an object { policySamples, referenceSamples?, expert?, klBeta? }', describeValue(out, 'needs'))
  const needs = out as Partial<Record<keyof StrategyNeeds, unknown>>
  const count = (value: unknown) => typeof value === 'number' && Number.isInteger(value) && value >= 0
  if (!count(needs.policySamples)) throw breach('policySamples to be an integer ≥ 0', describeValue(needs.policySamples))
  if (needs.referenceSamples !== undefined && !count(needs.referenceSamples))
    throw breach('referenceSamples, when given, to be an integer ≥ 0', describeValue(needs.referenceSamples))
  if (needs.expert !== undefined && typeof needs.expert !== 'boolean') throw breach('expert, when given, to be a boolean', describeValue(needs.expert))
  if (needs.klBeta !== undefined && (typeof needs.klBeta !== 'number' || !Number.isFinite(needs.klBeta) || needs.klBeta < 0))
    throw breach('klBeta, when given, to be a finite number ≥ 0', describeValue(needs.klBeta))
  return out as StrategyNeeds
}
