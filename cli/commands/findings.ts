import type { Command } from 'commander'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { BenchError } from '../../core/errors.js'
import { decodeMaybeGzip } from '../../plugins/tasks/shared/jsonl-dataset.js'
import { addExamples, deprecatedAlias } from '../option-vocabulary.js'
import { integerAtLeast, openUnit, temperature, toNumber } from '../parse-list.js'
import { runFiles } from '../../core/run/run-record.js'
import { evaluateFindings, findingsMeta, renderFindings } from '../../reports/findings.js'
import type { Results } from '../../reports/results-schema.js'
import { resultsSchema, upgradeResults } from '../../reports/results-schema.js'

interface FindingsFlags {
  out?: string
  temperature?: string
  alpha?: string
  power?: string
  resamples?: string
  seeds?: string
}

/**
 * Reads and validates results.json from a file (plain, or gzip-compressed such as
 * `results.json.gz`) or a run directory. Throws BenchError saying what to do.
 */
export async function loadResults(target: string): Promise<Results> {
  const isDir = await stat(target).then((s) => s.isDirectory(), () => false)
  const file = isDir ? path.join(target, runFiles.results) : target
  let text: string
  try {
    text = decodeMaybeGzip(await readFile(file))
  } catch (error) {
    const hint = isDir ? `; write it with \`bench report ${target} --format json\`` : '; pass a results.json or a run directory that holds one'
    throw new BenchError('BENCH_RUN_INVALID', `cannot read ${file} (${(error as Error).message})${hint}`, { cause: error })
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new BenchError('BENCH_RUN_INVALID', `${file} is not JSON (${(error as Error).message}); regenerate it with \`bench report <run-dir> --format json\``, { cause: error })
  }
  const parsed = resultsSchema.safeParse(upgradeResults(data))
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
    throw new BenchError('BENCH_RUN_INVALID', `${file} is not a bonbench results.json of this version (${issues}); regenerate it with \`bench report <run-dir> --format json\``)
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
    .description("judge the paper's predictions P1–P6 on a run's results.json (verdicts, CIs, Holm, power analysis) and print or write the Markdown")
    .argument('<results>', 'a results.json (or results.json.gz), or a run directory holding one')
    .option('-o, --out <file>', 'write the Markdown here (e.g. docs/results.md) instead of printing it')
    .option('--temperature <T>', 'the one temperature of the run P1–P4 are judged at, in (0, 10] (default: 1 when the run has it, else the middle one)')
    .option('--alpha <a>', "family-wise error rate of the Holm family, in (0, 1) (default: the results' settings.alpha)")
    .option('--power <p>', 'power of the minimum detectable effect, in (0, 1) (default: 0.8)')
    .option('--resamples <n>', "bootstrap resamples, an integer ≥ 2 (default: the results' settings.bootstrap; raised so Holm can reject)")
    .option('--seeds <n>', 'seed of the bootstrap, an integer ≥ 0 (default: 0)')
  deprecatedAlias(command, '--seed <n>', 'seeds', '--seeds')
  addExamples(command, [
    'bench findings docs/study/results.json.gz --out docs/results.md',
    'bench findings .bench/runs/<id> --temperature 0.7 --alpha 0.1',
  ])
    .action(async (target: string, flags: FindingsFlags) => {
      const options = {
        temperature: toNumber(flags.temperature, '--temperature', temperature, 'the temperature'),
        alpha: toNumber(flags.alpha, '--alpha', openUnit, 'alpha'),
        power: toNumber(flags.power, '--power', openUnit, 'the power'),
        resamples: toNumber(flags.resamples, '--resamples', integerAtLeast(2), 'the number of resamples'),
        seed: toNumber(flags.seeds, '--seeds', integerAtLeast(0), 'the seed'),
      }
      const results = await loadResults(target)
      const report = evaluateFindings(results, Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)))
      // The doc's regenerate line repeats exactly the options given.
      const given = (['temperature', 'alpha', 'power', 'resamples', 'seeds'] as const).flatMap((k) => (flags[k] !== undefined ? [`--${k}`, flags[k]!] : []))
      const where = { source: target.split(path.sep).join('/'), ...(flags.out ? { out: flags.out.split(path.sep).join('/') } : {}), flags: given }
      const markdown = renderFindings(report, findingsMeta(results, where))
      if (!flags.out) {
        process.stdout.write(markdown)
        return
      }
      await mkdir(path.dirname(path.resolve(flags.out)), { recursive: true })
      await writeFile(flags.out, markdown)
      for (const f of report.findings) process.stdout.write(`${f.id} ${f.verdict}: ${f.title}\n`)
      process.stdout.write(`wrote ${flags.out}\n`)
    })
}
