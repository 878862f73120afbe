import type { Command } from 'commander'
import { summarizePools } from '../../core/metrics/pool-summary.js'
import { readSampleDump } from '../../core/metrics/sample-dump.js'
import { addExamples, deprecatedAlias } from '../option-vocabulary.js'
import { finite, integerAtLeast, numberFlag, numberListFlag } from '../parse-list.js'
import { scoreJson, scoreTable } from '../score-output.js'

interface ScoreFlags {
  k?: number[]
  json?: boolean
  skipBadLines?: boolean
  threshold: number
  seeds: number
  resamples: number
}

/**
 * `bench score <file>`: exact pass@k, Bo-k and maj@k of a sample dump, with bootstrap CIs.
 * Reads the dump (see core/metrics/sample-dump.ts), summarises it (core/metrics/pool-summary.ts)
 * and prints a table or, with --json, one JSON object on stdout. Bad lines fail the command
 * (exit 2) unless --skip-bad-lines, which warns on stderr for each one.
 */
export function registerScore(program: Command): void {
  const command = program
    .command('score')
    .description('score a sample dump (.jsonl or .jsonl.gz): pass@k, Bo-k and maj@k with 95% bootstrap CIs')
    .argument('<file>', 'JSON Lines of {"id", "samples": [{"reward", "score"?, "answer"?}]} per problem, or {"id", "reward", "score"?, "answer"?} per sample')
    .option(
      '-k, --k <list>',
      'k values, comma-separated integers ≥ 1 (default: powers of 2 up to the smallest pool size n, and n); each k must be ≤ n',
      numberListFlag('--k', 'k', integerAtLeast(1)),
    )
    .option('--json', 'print one JSON object instead of the table')
    .option('--skip-bad-lines', 'skip lines that do not parse, with a warning on stderr (default: fail, naming the line)')
    .option('--threshold <t>', 'pass@k counts a sample correct when reward ≥ t', numberFlag('--threshold', finite, 'the threshold'), 1)
    .option(
      '--seeds <s>',
      'seed of the bootstrap and of the maj@k Monte Carlo fallback, an integer ≥ 0',
      numberFlag('--seeds', integerAtLeast(0), 'the seed'),
      0,
    )
    .option('--resamples <b>', 'bootstrap resamples for the CIs, an integer ≥ 2', numberFlag('--resamples', integerAtLeast(2), 'the number of resamples'), 2000)
    .addHelpText(
      'after',
      `
Bo-k needs a score on every sample; maj@k and distinct@k need answers (a sample without one
abstains: it fills a slot but never wins, unless every sample drawn abstains, when the pick is one
of them at random; docs/selection-rules.md). With pools of different sizes every metric averages
all problems at each k, so k is capped by the smallest pool.`,
    )
  deprecatedAlias(command, '--seed <s>', 'seeds', '--seeds')
  addExamples(command, ['bench score samples.jsonl.gz', 'bench score samples.jsonl --k 1,4,16 --json']).action(async (file: string, flags: ScoreFlags) => {
    const dump = await readSampleDump(file, { skipBadLines: flags.skipBadLines, skipFlag: '--skip-bad-lines' })
    for (const bad of dump.badLines) process.stderr.write(`bench: warning: ${bad.file}:${bad.line}: skipped bad line: ${bad.reason}\n`)
    const ks = flags.k ? [...new Set(flags.k)].sort((a, b) => a - b) : undefined
    const summary = summarizePools(dump.problems, { ks, threshold: flags.threshold, seed: flags.seeds, resamples: flags.resamples })
    if (flags.json) process.stdout.write(`${JSON.stringify(scoreJson(file, summary, dump.badLines))}\n`)
    else process.stdout.write(scoreTable(file, summary))
  })
}
