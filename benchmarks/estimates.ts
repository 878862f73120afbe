// How to run: `npx tsx benchmarks/estimates.ts` (PRETRAIN_STEPS=<n> sets the cold run's pretraining
// steps; default 20, so the whole benchmark takes about two minutes on two shared cores).
// Issue 19 asks that the time estimate printed at run start be within 2× of the measured time.
// Runs a few small configs as a user does (separate processes, one cache), in order:
//   1. toy, quick preset, cold cache: pretraining and evaluation, estimated from declared rates;
//   2. the same again, warm: the base model is cached, and the estimate uses the rates run 1 measured;
//   3. toy with the tabular model;
//   4. bench eval of the base model run 1 cached (a checkpoint: no pretraining, no training).
// Prints each estimate, the measured wall time of the process, their ratio, the estimate's basis,
// and the load average before and after (the machine is shared: read ratios beside it).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const work = mkdtempSync(join(tmpdir(), 'bonbench-estimates-'))
const cache = join(work, 'cache')
const runs = join(work, 'runs')
const pretrainSteps = process.env.PRETRAIN_STEPS ?? '20'
const common = ['--no-tui', '--no-reports', '--cache-dir', cache]

function parseEstimate(text: string): number {
  const m = /estimated (?:(\d+)h )?(?:(\d+)m )?(\d+)s/.exec(text) ?? /estimated (\d+)h (\d+)m/.exec(text)
  if (!m) throw new Error(`no estimate in the output:\n${text}`)
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
}

function measure(label: string, args: string[]): void {
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
  const started = performance.now()
  const result = spawnSync(process.execPath, [join(root, 'bin', 'bench.js'), ...args], { cwd: work, encoding: 'utf8' })
  const seconds = (performance.now() - started) / 1000
  const out = `${result.stdout}\n${result.stderr}`
  if (result.status !== 0) throw new Error(`${label}: exit ${result.status}\n${out}`)
  const estimate = parseEstimate(out)
  const basis = /estimate basis: (.*)/.exec(out)?.[1] ?? '(none)'
  console.log(`${label}: estimated ${estimate} s, took ${seconds.toFixed(1)} s, estimate/measured ${(estimate / seconds).toFixed(2)} (load ${load})`)
  console.log(`  basis: ${basis}`)
}

try {
  const toy = ['run', 'toy', '--preset', 'quick', '--pretrain-steps', pretrainSteps, '--runs-dir', runs, ...common]
  measure('toy quick, cold', toy)
  measure('toy quick, warm', toy)
  measure('toy tabular', ['run', 'toy', '--model', 'tabular', '--strategies', 'sft', '--n', '1,2,4', '--runs-dir', runs, ...common])
  const models = join(cache, 'models')
  const base = readdirSync(models).find((d) => !d.startsWith('.'))
  if (!base) throw new Error(`no cached base model under ${models}`)
  measure('bench eval of the cached base', ['eval', 'toy', '--checkpoint', join(models, base), '--preset', 'quick', ...common])
} finally {
  rmSync(work, { recursive: true, force: true })
}
