import type { Command } from 'commander'
import { createWriteStream } from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import { BenchError } from '../../core/errors.js'
import { readSampleDump } from '../../core/metrics/sample-dump.js'
import type { StrategyPlugin } from '../../core/plugin-api/strategy.js'
import { shortName } from '../../core/registry/registry.js'
import { lambdaFor, parseLambdaRule } from '../../core/train/lambda.js'
import { commandRegistry } from '../command-registry.js'
import { addExamples } from '../option-vocabulary.js'
import { finite, integerAtLeast, numberFlag } from '../parse-list.js'
import { weightGroups, type WeightedLine } from '../weighted-groups.js'
import { strategyNeeds } from '../../core/plugin-api-checks/check-weights.js'

interface WeightsFlags {
  samples: string
  out: string
  nTrain: number
  lambda: string
  options?: string
  seeds: number
  threshold: number
  config?: string
}

/** The strategy by name, from the built-ins, the config's plugins and installed packages; built-ins take `--options`. */
async function resolveStrategy(name: string, flags: WeightsFlags): Promise<StrategyPlugin> {
  const registry = await commandRegistry('weights', { configPath: flags.config })
  if (flags.options === undefined) return registry.get('strategy', name)
  let options: unknown
  try {
    options = JSON.parse(flags.options)
  } catch (error) {
    throw new BenchError(
      'BENCH_USAGE',
      `--options: not valid JSON (${(error as Error).message}); give the strategy's options as a JSON object, e.g. '{"k": 8}'.`,
    )
  }
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new BenchError('BENCH_USAGE', '--options: give a JSON object, e.g. \'{"k": 8}\'.')
  const factory = registry.builtinKind(shortName(name)) === 'strategy' ? await registry.builtinFactory(shortName(name)) : undefined
  if (!factory)
    throw new BenchError('BENCH_USAGE', `--options applies to built-in strategies; give '${name}' its options in the config's plugins list instead.`)
  return factory(options as Record<string, unknown>) as StrategyPlugin
}

async function writeLines(file: string, lines: readonly WeightedLine[]): Promise<void> {
  const out = createWriteStream(file)
  const failed = once(out, 'error').then(([error]) => {
    throw new BenchError('BENCH_USAGE', `cannot write ${file}: ${(error as Error).message}. Pass --out <file> in a writable folder.`)
  })
  const write = async () => {
    for (const line of lines) if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain')
    out.end()
    await once(out, 'finish')
  }
  await Promise.race([write(), failed])
}

/**
 * `bench weights <strategy> --samples <scored dump> --out <file>`: the weighted sequences a strategy
 * produces from samples drawn and scored elsewhere, one JSON line each, for a weighted-SFT or
 * policy-gradient step in another trainer (TRL, verl). The weights are the strategy plugin's own
 * `weights()` (cli/weighted-groups.ts); the format is documented in docs/external-trainers.md.
 */
export function registerWeights(program: Command): void {
  const command = program
    .command('weights')
    .description("write a strategy's weighted sequences for a scored sample dump (JSONL for an external trainer: TRL, verl)")
    .argument('<strategy>', 'a strategy: bon-rl, bon-rlb, bon-sft, rl, … (bench list shows them)')
    .requiredOption(
      '--samples <dump>',
      'scored samples with texts and prompts (.jsonl or .jsonl.gz; the formats bench score reads, see docs/external-trainers.md)',
    )
    .requiredOption('-o, --out <file>', 'the weighted JSONL to write')
    .option('--n-train <N>', 'N′, the N the strategy trains for, an integer ≥ 1', numberFlag('--n-train', integerAtLeast(1), 'N′'), 4)
    .option('--lambda <rule>', "λ of the exponential tilt: 'kl-match', 'N-1' or a number", 'kl-match')
    .option('--options <json>', 'options of a built-in strategy as a JSON object, e.g. \'{"k": 8}\'')
    .option('--seeds <s>', 'seed of the random N′-subsets and tie-breaks, an integer ≥ 0', numberFlag('--seeds', integerAtLeast(0), 'the seed'), 0)
    .option('--threshold <t>', 'a sample counts as correct (group_stats.n_correct) when reward ≥ t', numberFlag('--threshold', finite, 'the threshold'), 1)
    .option('-c, --config <file>', 'config file whose plugins list third-party strategies (default: bench.config.* in the working directory)')
    .addHelpText(
      'after',
      `
Each prompt's samples are cut into groups of K (the strategy's policy samples per prompt, its
option k) in dump order; samples after the last whole group are left out. Every sequence the
strategy returns is written, zero weights included. Strategies that need reference samples
(vbon, bond) are refused: a dump holds one policy's samples.`,
    )
  addExamples(command, [
    'bench weights bon-rl --samples scored.jsonl.gz --out weighted.jsonl --n-train 4',
    'bench weights bon-rlb --samples qwen25math_math_cot_100.jsonl.gz --out weighted.jsonl --n-train 4 --options \'{"k": 8}\'',
  ]).action(async (name: string, flags: WeightsFlags) => {
    const strategy = await resolveStrategy(name, flags)
    const lambda = lambdaFor(flags.nTrain, parseLambdaRule(flags.lambda))
    const dump = await readSampleDump(path.resolve(flags.samples))
    const result = weightGroups(dump.problems, strategy, { nTrain: flags.nTrain, lambda, seed: flags.seeds, threshold: flags.threshold })
    const out = path.resolve(flags.out)
    await writeLines(out, result.lines)
    const needs = strategyNeeds(strategy, flags.nTrain)
    const nonZero = result.lines.filter((l) => l.weight !== 0).length
    process.stdout.write(
      [
        `${strategy.name} (selection: ${strategy.selection}) at N′ = ${flags.nTrain}, λ = ${lambda.toPrecision(4)}, K = ${needs.policySamples}${needs.expert ? ' + the expert' : ''}${needs.klBeta ? `, KL β = ${needs.klBeta}` : ''}`,
        `wrote ${result.lines.length} sequences (${nonZero} with a non-zero weight) from ${result.groups} groups of ${dump.problems.length} prompts to ${out}`,
        ...(result.leftover > 0 ? [`${result.leftover} samples after the last whole group of their prompt were left out`] : []),
        ...(result.oracle ? ['the dump has no scores: the selector r is the reward R (an oracle)'] : []),
      ].join('\n') + '\n',
    )
  })
}
