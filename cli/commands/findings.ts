import type { Command } from 'commander'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { BenchError } from '../../core/errors.js'
import { looksUtf16, UTF16_FIX, utf16Sign } from '../../core/text-encoding.js'
import { decodeMaybeGzip } from '../../plugins/tasks/shared/jsonl-dataset.js'
import { addExamples, deprecatedAlias } from '../option-vocabulary.js'
import { choiceFlag, integerAtLeast, numberListFlag, openUnit, temperature, toNumber } from '../parse-list.js'
import { runFiles } from '../../core/run/run-record.js'
import { evaluateFindings, findingsMeta, plannedChecks, renderFindings } from '../../reports/findings.js'
import { evaluateFindingsV2, plannedChecksV2 } from '../../reports/findings-v2/evaluate.js'
import { powerPlan, renderPowerPlan } from '../../reports/findings-v2/power-plan.js'
import { oracleControl } from '../../reports/findings-v2/oracle-control.js'
import { renderFindingsV2 } from '../../reports/findings-v2/render.js'
import { hasFrontiers } from '../../reports/findings-v2/trajectories.js'
import type { Results } from '../../reports/results-schema.js'
import { RESULTS_VERSION, resultsSchema, upgradeResults } from '../../reports/results-schema.js'

interface FindingsFlags {
  out?: string
  temperature?: string
  alpha?: string
  power?: string
  resamples?: string
  seeds?: string
  study?: 'v1' | 'v2'
  plan?: boolean
  planSeeds?: number[]
  planPrompts?: number[]
  planTests?: string
  control?: string
}

/**
 * Reads and validates results.json from a file (plain, or gzip-compressed such as
 * `results.json.gz`) or a run directory. Throws BenchError saying what to do.
 */
export async function loadResults(target: string): Promise<Results> {
  const isDir = await stat(target).then(
    (s) => s.isDirectory(),
    () => false,
  )
  const file = isDir ? path.join(target, runFiles.results) : target
  const utf16 = () => new BenchError('BENCH_RUN_INVALID', `${file} ${UTF16_FIX}, or regenerate it with \`bench report <run-dir> --format json\``)
  let text: string
  try {
    const bytes = await readFile(file)
    // An editor re-saved it: say so before anything reads its bytes as UTF-8.
    if (utf16Sign(bytes) !== undefined) throw utf16()
    // Gunzipped when it is gzip, without an editor's UTF-8 byte-order mark (JSON.parse would stop at it).
    text = decodeMaybeGzip(bytes)
  } catch (error) {
    if (error instanceof BenchError) throw error
    const hint = isDir ? `; write it with \`bench report ${target} --format json\`` : '; pass a results.json or a run directory that holds one'
    throw new BenchError('BENCH_RUN_INVALID', `cannot read ${file} (${(error as Error).message})${hint}`, { cause: error })
  }
  // A gzipped results.json holding UTF-16 shows it only now.
  if (looksUtf16(text)) throw utf16()
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `${file} is not JSON (${(error as Error).message}); regenerate it with \`bench report <run-dir> --format json\``,
      { cause: error },
    )
  }
  const version = (data as { version?: unknown } | null)?.version
  if (typeof version === 'number' && version > RESULTS_VERSION)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `${file} is a results.json of version ${version}, written by a newer bonbench than this one (it reads versions up to ${RESULTS_VERSION}): update bonbench (npm i -D bonbench@latest), or regenerate the file with this one (\`bench report <run-dir> --format json\`)`,
    )
  const parsed = resultsSchema.safeParse(upgradeResults(data))
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ')
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `${file} is not a bonbench results.json of this version (${issues}); regenerate it with \`bench report <run-dir> --format json\``,
    )
  }
  return parsed.data
}

/**
 * `bench findings <results>`: judges the paper's predictions P1–P6 on one analysed run and prints
 * (or writes) the Markdown of docs/results.md. Reads the results file alone; deterministic, so
 * regenerating from the same file gives the same bytes.
 */
export function registerFindings(program: Command): void {
  const command = program
    .command('findings')
    .description(
      "judge the paper's predictions P1–P6 on a run's results.json (verdicts, CIs, Holm, power analysis; study v2: at matched KL and at the best checkpoint) and print or write the Markdown; --plan: the power plan of a study from a pilot",
    )
    .argument('<results>', 'a results.json (or results.json.gz), or a run directory holding one')
    .option('-o, --out <file>', 'write the Markdown here (e.g. docs/results.md) instead of printing it')
    .option('--temperature <T>', 'the one temperature of the run P1–P4 are judged at, in (0, 10] (default: 1 when the run has it, else the middle one)')
    .option('--alpha <a>', "family-wise error rate of the Holm family, in (0, 1) (default: the results' settings.alpha)")
    .option('--power <p>', 'power of the minimum detectable effect, in (0, 1) (default: 0.8)')
    .option('--resamples <n>', "bootstrap resamples, an integer ≥ 2 (default: the results' settings.bootstrap; raised so Holm can reject)")
    .option('--seeds <n>', 'seed of the bootstrap, an integer ≥ 0 (default: 0)')
    .option(
      '--study <version>',
      'which findings: v1 (each arm at its final step) or v2 (matched KL and best checkpoint; docs/study-v2/ANALYSIS.md) (default: v2 when the results hold checkpoint evaluations with KL, else v1)',
      choiceFlag('--study', ['v1', 'v2'] as const),
    )
    .option(
      '--plan',
      "treat <results> as a pilot and print the power plan: each planned comparison's minimum detectable effect at candidate seed × prompt counts (before the study runs)",
    )
    .option(
      '--plan-seeds <list>',
      'seeds per arm to project the power plan to, integers ≥ 1 (default: 3,5,8)',
      numberListFlag('--plan-seeds', 'seed count', integerAtLeast(1)),
    )
    .option(
      '--plan-prompts <list>',
      'test prompts to project the power plan to, integers ≥ 1 (default: 200,400,800)',
      numberListFlag('--plan-prompts', 'prompt count', integerAtLeast(1)),
    )
    .option(
      '--control <results>',
      "study v2: the oracle-control run's results.json (the same arm trained and selected by the environment reward); adds its gains over the base beside this run's arm",
    )
    .option('--plan-tests <m>', 'size of the Holm family of the planned study, an integer ≥ 1 (default: the comparisons planned on the pilot)')
  deprecatedAlias(command, '--seed <n>', 'seeds', '--seeds')
  addExamples(command, [
    'bench findings docs/study-v2/results.json.gz --control docs/study-v2/results-oracle.json.gz --out docs/results.md',
    'bench findings .bench/runs/<id> --temperature 0.7 --alpha 0.1',
    'bench findings pilot/results.json --plan --plan-seeds 3,5',
  ]).action(async (target: string, flags: FindingsFlags) => {
    const options = {
      temperature: toNumber(flags.temperature, '--temperature', temperature, 'the temperature'),
      alpha: toNumber(flags.alpha, '--alpha', openUnit, 'alpha'),
      power: toNumber(flags.power, '--power', openUnit, 'the power'),
      resamples: toNumber(flags.resamples, '--resamples', integerAtLeast(2), 'the number of resamples'),
      seed: toNumber(flags.seeds, '--seeds', integerAtLeast(0), 'the seed'),
    }
    const planTests = toNumber(flags.planTests, '--plan-tests', integerAtLeast(1), 'the family size')
    const results = await loadResults(target)
    const controlResults = flags.control === undefined ? undefined : await loadResults(flags.control)
    const given0 = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
    const v2 = flags.study === 'v2' || (flags.study === undefined && hasFrontiers(results))
    const source = target.split(path.sep).join('/')
    if (controlResults && (!v2 || flags.plan))
      throw new BenchError(
        'BENCH_USAGE',
        flags.plan
          ? '--control adds the oracle control to the findings; it does not apply to --plan: drop one of them'
          : `--control needs the study v2 findings (checkpoint evaluations with KL); ${target} gives v1 ones: drop --control, or pass --study v2 on a run that has them`,
      )
    let markdown: string
    let verdicts: Array<{ id: string; verdict: string; title: string }> = []
    if (flags.plan) {
      // The power flag is the power of the plan's MDE; the family is what the findings would test on the pilot.
      const checks = v2 ? plannedChecksV2(results, given0) : plannedChecks(results, given0)
      const plan = powerPlan(checks, {
        seeds: flags.planSeeds ?? [3, 5, 8],
        prompts: flags.planPrompts ?? [200, 400, 800],
        alpha: options.alpha ?? results.settings.alpha,
        power: options.power ?? 0.8,
        ...(planTests !== undefined ? { tests: planTests } : {}),
      })
      markdown = renderPowerPlan(plan, results, source)
    } else {
      // The doc's regenerate line repeats exactly the options given.
      const given = (['temperature', 'alpha', 'power', 'resamples', 'seeds', 'study', 'control'] as const).flatMap((k) =>
        flags[k] !== undefined ? [`--${k}`, flags[k]!] : [],
      )
      const where = { source, ...(flags.out ? { out: flags.out.split(path.sep).join('/') } : {}), flags: given }
      if (v2) {
        const report = evaluateFindingsV2(results, given0)
        const d = report.design
        const control = controlResults && {
          control: oracleControl(results, controlResults, {
            source: flags.control,
            temperature: d.primaryTemperature,
            seed: d.seed,
            resamples: d.resamples,
            level: d.level,
          }),
          source: flags.control!.split(path.sep).join('/'),
        }
        markdown = renderFindingsV2(report, findingsMeta(results, where), results, control)
        verdicts = report.findings
      } else {
        const report = evaluateFindings(results, given0)
        markdown = renderFindings(report, findingsMeta(results, where))
        verdicts = report.findings
      }
    }
    if (!flags.out) {
      process.stdout.write(markdown)
      return
    }
    await mkdir(path.dirname(path.resolve(flags.out)), { recursive: true })
    await writeFile(flags.out, markdown)
    for (const f of verdicts) process.stdout.write(`${f.id} ${f.verdict}: ${f.title}\n`)
    process.stdout.write(`wrote ${flags.out}\n`)
  })
}
