import type { Command } from 'commander'
import path from 'node:path'
import { configureBudget, getBudget } from '../../core/concurrency.js'
import { BenchError } from '../../core/errors.js'
import type { Problem, TaskData } from '../../core/plugin-api/task.js'
import { checkTaskData } from '../../core/plugin-api-checks/check-task-data.js'
import { checkVerdicts } from '../../core/plugin-api-checks/check-verdicts.js'
import { RunLifecycle, describeDisposeFailure } from '../../core/run/plugin-lifecycle.js'
import type { Verdict } from '../../core/plugin-api/verifier.js'
import { commandRegistry } from '../command-registry.js'
import { addExamples, deprecatedAlias } from '../option-vocabulary.js'
import { integerAtLeast, numberFlag, numberListFlag } from '../parse-list.js'
import { summarizeVerify, verifyText } from '../verify-output.js'
import { readVerifySamples, referenceSamples, writeVerifyResults, type VerifySample } from '../verify-samples.js'
import { callHook } from '../../core/run/hooks-in-flight.js'

interface VerifyFlags {
  data?: string
  samples?: string
  reference?: boolean
  out?: string
  k: number[]
  json?: boolean
  concurrency?: number
  verifier?: string
  config?: string
  seeds: number
  resamples: number
}

const CHUNK = 256

function resultsPath(flags: VerifyFlags, task: string): string {
  if (flags.out) return path.resolve(flags.out)
  if (flags.samples) return `${path.resolve(flags.samples)}_results.jsonl`
  return path.resolve(`${task.replace(/[^\w.-]+/g, '_')}_reference_results.jsonl`)
}

/**
 * `bench verify <task> --data <problems> (--samples <file> | --reference)`: the equivalent of
 * human-eval's evaluate_functional_correctness. Loads the task's problems from --data, runs every
 * sample through the task's reward verifier (or --verifier) within the concurrency budget, writes
 * the per-sample results file (default `<samples>_results.jsonl` beside the input), and prints
 * pass@k with 95% bootstrap CIs, or with --json one object
 * `{problems, samples, passAtK, ci, verdicts, …}`. `--reference` verifies the task's own
 * reference solutions (one per problem). Misuse throws BenchError (exit 2).
 */
export function registerVerify(program: Command): void {
  const command = program
    .command('verify')
    .description("run code samples against a task's tests (like human-eval's evaluate_functional_correctness) and print pass@k with 95% CIs")
    .argument('<task>', 'a task with a verifier, e.g. humaneval-js or humaneval')
    .option('--data <file>', 'the problems file (.jsonl or .jsonl.gz) or a folder holding it')
    .option('--samples <file>', 'samples, one JSON object per line: {"task_id": …, "completion": …} (.jsonl or .jsonl.gz)')
    .option('--reference', 'verify the reference solutions of the data file instead of --samples (one sample per problem)')
    .option(
      '-o, --out <file>',
      'per-sample results file (default: <samples>_results.jsonl beside the input; with --reference: ./<task>_reference_results.jsonl)',
    )
    .option(
      '-k, --k <list>',
      'k values for pass@k, comma-separated; a k above the smallest number of samples per problem is skipped',
      numberListFlag('--k', 'k', integerAtLeast(1)),
      [1, 10, 100],
    )
    .option('--json', 'print one JSON object instead of the report')
    .option(
      '--concurrency <n>',
      'candidates verified at once, an integer ≥ 1 (default: the core count)',
      numberFlag('--concurrency', integerAtLeast(1), 'the concurrency'),
    )
    .option('--verifier <name>', "verifier to use instead of the task's reward verifier")
    .option('-c, --config <file>', 'config file whose plugins list third-party tasks and verifiers (default: bench.config.* in the working directory)')
    .option('--seeds <s>', 'seed of the bootstrap, an integer ≥ 0', numberFlag('--seeds', integerAtLeast(0), 'the seed'), 0)
    .option('--resamples <b>', 'bootstrap resamples for the CIs, an integer ≥ 2', numberFlag('--resamples', integerAtLeast(2), 'the number of resamples'), 2000)
    .addHelpText(
      'after',
      `
Every line of the results file is the sample plus "passed" (boolean), "result" (the verdict
reason: passed, assertion, timeout, memory, syntax, runtime, …) and "detail" (capped output).
The humaneval task needs python3 on PATH. The datasets: "Datasets" in the README.`,
    )
  deprecatedAlias(command, '--seed <s>', 'seeds', '--seeds')
  addExamples(command, [
    'bench verify humaneval --data ../shared/data/humaneval/HumanEval.jsonl.gz --samples samples.jsonl',
    'bench verify humaneval-js --data ../shared/data/humaneval_js/humaneval_js.humaneval-x.jsonl.gz --reference --json',
    'bench verify humaneval-js --data humaneval-js.multiple-e.jsonl --samples s.jsonl.gz --k 1,10',
  ]).action(async (taskName: string, flags: VerifyFlags) => {
    if (!flags.data) throw new BenchError('BENCH_DATA_MISSING', `bench verify ${taskName} needs the problems file: pass --data <file.jsonl[.gz]>.`)
    if (!flags.samples === !flags.reference) throw new BenchError('BENCH_USAGE', 'bench verify needs exactly one of --samples <file> and --reference.')
    const registry = await commandRegistry('verify', { configPath: flags.config })
    const task = await registry.get('task', taskName)
    const verifier = await registry.get('verifier', flags.verifier ?? task.rewardVerifier)
    // The same plugin lifecycle as a run: set up before use, disposed (reverse order) on every path.
    const lifecycle = new RunLifecycle({ cacheDir: path.resolve('.bench/cache'), log: (m) => process.stderr.write(`bench: ${m}\n`) })
    const verdicts: Verdict[] = []
    let problems: Problem[]
    let samples: VerifySample[]
    let data: TaskData
    let out: string
    try {
      await lifecycle.setup(task)
      data = checkTaskData(task, await callHook(task, 'load', () => task.load({ seed: 0, dataPath: path.resolve(flags.data!) })))
      problems = [...data.train, ...data.test]
      const byId = new Map(problems.map((p) => [p.id, p]))
      samples = flags.samples ? await readVerifySamples(path.resolve(flags.samples), new Set(byId.keys())) : referenceSamples(problems, task.name)
      const budget = flags.concurrency !== undefined ? configureBudget(flags.concurrency) : getBudget()
      out = resultsPath(flags, taskName)
      const progress = !flags.json && process.stderr.isTTY
      await lifecycle.setup(verifier)
      const { slots, release } = await budget.acquireUpTo(budget.size)
      try {
        for (let start = 0; start < samples.length; start += CHUNK) {
          const items = samples.slice(start, start + CHUNK).map((s) => ({ problem: byId.get(s.taskId)!, completion: s.completion }))
          verdicts.push(...checkVerdicts(verifier, items, await callHook(verifier, 'score', () => verifier.score(items, { concurrency: slots }))))
          if (progress) process.stderr.write(`\rverified ${verdicts.length}/${samples.length}`)
        }
      } finally {
        release()
        if (progress) process.stderr.write('\n')
      }
    } finally {
      for (const failure of await lifecycle.disposeAll()) process.stderr.write(`bench: warning: ${describeDisposeFailure(failure)}\n`)
    }
    await writeVerifyResults(out, samples, verdicts)
    const summary = summarizeVerify({
      task: task.name,
      verifier: verifier.name,
      problemIds: problems.map((p) => p.id),
      taskIds: samples.map((s) => s.taskId),
      verdicts,
      ks: flags.k,
      resultsFile: out,
      files: data.files ?? [],
      seed: flags.seeds,
      resamples: flags.resamples,
    })
    process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : verifyText(summary))
  })
}
