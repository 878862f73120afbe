// How to run (isolated-vm needs --no-node-snapshot; the built-ins import `bonbench`, which --conditions=bonbench-source
// resolves to these sources): `node --no-node-snapshot --conditions=bonbench-source --import tsx benchmarks/sandbox.bench.ts`
// Candidates verified per second on the 164 HumanEval-X JavaScript reference solutions by
// (a) the js-sandbox isolate pool, (b) a process per candidate (`node` through the command
// verifier, as MultiPL-E / CodeGeeX do), (c) unsandboxed in-process execution (new Function, and
// a fresh node:vm context) — the floor. All runners must give identical pass/fail verdicts (the
// suite throws otherwise). Goals (DESIGN §4, issue 5): (a) ≥ 30 × (b); (c)/(a) within 3 ×.
// The same 164 sources run again and again, and `new Function` in the host reuses V8's compiled
// code and type feedback for a source it has seen (its eval cache), which a fresh context cannot;
// so (a) and (c) also run with every source new (a counter in a trailing comment), as real
// candidates are: "every source new".
// Writes benchmarks/results/sandbox.json (BENCH_RESULTS_DIR overrides) in the shared format.
import { availableParallelism } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import vm from 'node:vm'
import nodeAssert from 'node:assert'
import { Bench } from 'tinybench'
import { recordsFromBench, writeBenchmarkResults, type BenchmarkRecord } from '../core/benchmark-format.js'
import type { Problem } from '../core/plugin-api/task.js'
import { humanevalJs } from '../plugins/tasks/humaneval-js/index.js'
import { command } from '../plugins/verifiers/command/index.js'
import { jsSandbox } from '../plugins/verifiers/js-sandbox/index.js'
import { buildProgram, type CodePayload } from '../plugins/verifiers/shared/code-payload.js'

const data = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data/humaneval_js/humaneval_js.humaneval-x.jsonl.gz')
const problems: Problem[] = (await humanevalJs().load({ seed: 0, dataPath: data })).test
const items = problems.map((problem) => ({ problem, completion: problem.expert! }))
const programs = problems.map((p) => buildProgram(p, p.data as unknown as CodePayload, p.expert!))
const cores = availableParallelism()
const count = items.length

/** The floor's verdict: no isolation at all, console.assert and stderr recorded as failures. */
function floorRun(program: string, runner: (program: string, sandbox: Record<string, unknown>) => void): boolean {
  let failed = false
  const fakeConsole = {
    log() {},
    info() {},
    debug() {},
    error: () => (failed = true),
    warn: () => (failed = true),
    assert: (ok: unknown) => (ok ? undefined : (failed = true)),
  }
  const fakeRequire = (name: string) => {
    if (name === 'assert' || name === 'node:assert') return nodeAssert
    throw new Error(`Cannot find module '${name}'`)
  }
  try {
    runner(program, { console: fakeConsole, require: fakeRequire })
  } catch {
    failed = true
  }
  return !failed
}
const viaFunction = (program: string, s: Record<string, unknown>) => new Function('console', 'require', program)(s.console, s.require)
const viaVm = (program: string, s: Record<string, unknown>) => vm.runInContext(program, vm.createContext({ ...s }), { timeout: 3000 })

/** The same candidates with every source new: a trailing comment with a new number each call (line numbers unchanged). */
let round = 0
const newSources = () => {
  round++
  return {
    items: items.map(({ problem, completion }) => ({
      problem: { ...problem, data: { ...problem.data, test: `${(problem.data as unknown as CodePayload).test}\n// ${round}` } },
      completion,
    })),
    programs: programs.map((program) => `${program}\n// ${round}`),
  }
}

const sandbox = jsSandbox({ calibrate: false })
const processRunner = command({ timeoutMs: 10_000 })

// Identical verdicts first (and a warm-up of each runner).
const expected = (await sandbox.score(items, { concurrency: cores })).map((v) => v.pass)
const viaProcess = (await processRunner.score(items, { concurrency: cores })).map((v) => v.pass)
const floorFn = programs.map((p) => floorRun(p, viaFunction))
const floorVm = programs.map((p) => floorRun(p, viaVm))
for (const [label, got] of [
  ['process per candidate', viaProcess],
  ['new Function', floorFn],
  ['node:vm', floorVm],
] as const) {
  const diff = got.flatMap((pass, i) => (pass === expected[i] ? [] : [problems[i]!.id]))
  if (diff.length > 0) throw new Error(`sandbox bench: ${label} disagrees with the js-sandbox on ${diff.join(', ')}`)
}
console.log(`verdicts agree across runners: ${expected.filter(Boolean).length}/${count} pass`)

const fast = new Bench({ time: 3000, warmupTime: 500 })
fast
  .add(`js-sandbox pool, concurrency ${cores}`, async () => void (await sandbox.score(items, { concurrency: cores })))
  .add('js-sandbox pool, concurrency 1', async () => void (await sandbox.score(items, { concurrency: 1 })))
  .add('unsandboxed new Function (floor)', () => void programs.forEach((p) => floorRun(p, viaFunction)))
  .add('unsandboxed node:vm context per candidate', () => void programs.forEach((p) => floorRun(p, viaVm)))
  .add(`js-sandbox pool, concurrency ${cores}, every source new`, async () => void (await sandbox.score(newSources().items, { concurrency: cores })))
  .add('unsandboxed new Function (floor), every source new', () => void newSources().programs.forEach((p) => floorRun(p, viaFunction)))
await fast.run()
const slow = new Bench({ iterations: 2, time: 0, warmup: false })
slow
  .add(`process per candidate (node), concurrency ${cores}`, async () => void (await processRunner.score(items, { concurrency: cores })))
  .add('process per candidate (node), concurrency 1', async () => void (await processRunner.score(items, { concurrency: 1 })))
await slow.run()
sandbox.dispose?.()

const records: BenchmarkRecord[] = [...recordsFromBench(fast), ...recordsFromBench(slow)]
const perSecond = new Map<string, number>()
for (const task of [...fast.tasks, ...slow.tasks]) {
  const r = task.result
  if (r.state !== 'completed') continue
  const rate = count / (r.latency.mean / 1000)
  perSecond.set(task.name, rate)
  records.push({ case: task.name, metric: 'candidates-per-second', value: rate, unit: 'candidates/s', higherIsBetter: true, params: { candidates: count } })
}
const a = perSecond.get(`js-sandbox pool, concurrency ${cores}`)!
const b = perSecond.get(`process per candidate (node), concurrency ${cores}`)!
const c = perSecond.get('unsandboxed new Function (floor)')!
const aNew = perSecond.get(`js-sandbox pool, concurrency ${cores}, every source new`)!
const cNew = perSecond.get('unsandboxed new Function (floor), every source new')!
records.push(
  { case: 'sandbox vs process per candidate', metric: 'speedup', value: a / b, unit: 'ratio', higherIsBetter: true, params: { goal: 30 } },
  { case: 'floor vs sandbox', metric: 'slowdown', value: c / a, unit: 'ratio', higherIsBetter: false, params: { aim: 3 } },
  { case: 'floor vs sandbox, every source new', metric: 'slowdown', value: cNew / aNew, unit: 'ratio', higherIsBetter: false },
)
console.table([...perSecond].map(([name, rate]) => ({ case: name, 'candidates/s': Math.round(rate) })))
console.log(
  `(a)/(b) = ${(a / b).toFixed(1)}× (goal ≥ 30×); (c)/(a) = ${(c / a).toFixed(2)}× (aim ≤ 3×); every source new: (c)/(a) = ${(cNew / aNew).toFixed(2)}×`,
)
const file = await writeBenchmarkResults('sandbox', records, {
  notes: `HumanEval-X JS reference solutions (${count}); ${cores} cores; load average at start in machine facts`,
})
console.log(`wrote ${file}`)
