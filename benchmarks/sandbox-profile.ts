// How to run: `node --no-node-snapshot --conditions=bonbench-source --import tsx benchmarks/sandbox-profile.ts`
// Where a js-sandbox candidate's time goes (issue 17), on the 164 HumanEval-X reference solutions,
// one isolate made from the shim's startup snapshot (as the pool makes them), one stage at a time:
// making a context (a copy of the snapshot's), installing the shim in it, compiling the
// program, running it through the shim (asynchronously, as the verifier does), releasing. Prints
// the mean per candidate of wall time and of the isolate's own CPU time (isolate.cpuTime), and
// beside them: a context and its shim made as before the snapshot (a plain isolate, the shim's
// whole bundle run in each context) and as now, the same program run in a context with no shim,
// in one context reused (as a
// function body, which would be wrong in general: see the js-sandbox README), and what a check that
// every built-in of a reused context is unchanged costs (every own property descriptor of the
// ~700 objects reachable from globalThis). Prints only; writes no results file.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ivm from 'isolated-vm'
import { humanevalJs } from '../plugins/tasks/humaneval-js/index.js'
import { ARM_SHIM_SOURCE, shimSource } from '../plugins/verifiers/js-sandbox/shim-source.js'
import { shimSnapshot } from '../plugins/verifiers/js-sandbox/shim-snapshot.js'
import { buildProgram, type CodePayload } from '../plugins/verifiers/shared/code-payload.js'

const data = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared/data/humaneval_js/humaneval_js.humaneval-x.jsonl.gz')
const problems = (await humanevalJs().load({ seed: 0, dataPath: data })).test
const programs = problems.map((p) => buildProgram(p, p.data as unknown as CodePayload, p.expert!))
const rounds = Number(process.env.ROUNDS ?? 3)
const isolate = new ivm.Isolate({ memoryLimit: 128, snapshot: shimSnapshot(16_384) })
const arm = isolate.compileScriptSync(ARM_SHIM_SOURCE, { filename: 'bonbench-shim.js' })
const stubs =
  'globalThis.require = () => ({ deepEqual() {}, strictEqual() {}, equal() {}, ok() {} }); globalThis.console = { log() {}, assert() {}, error() {}, warn() {} }'

type Stage = 'context' | 'shim' | 'compile' | 'run' | 'release'
const wall: Record<Stage, bigint> = { context: 0n, shim: 0n, compile: 0n, run: 0n, release: 0n }
const cpu: Record<Stage, bigint> = { context: 0n, shim: 0n, compile: 0n, run: 0n, release: 0n }
let n = 0n
for (let round = 0; round < rounds; round++) {
  for (const program of programs) {
    const at = { wall: process.hrtime.bigint(), cpu: isolate.cpuTime }
    const lap = (stage: Stage) => {
      const now = { wall: process.hrtime.bigint(), cpu: isolate.cpuTime }
      wall[stage] += now.wall - at.wall
      cpu[stage] += now.cpu - at.cpu
      Object.assign(at, now)
    }
    const context = await isolate.createContext()
    lap('context')
    const run = (await arm.run(context, { reference: true })) as ivm.Reference<(s: ivm.Script, c: ivm.Context) => string>
    lap('shim')
    const script = isolate.compileScriptSync(program, { filename: 'candidate.js' })
    lap('compile')
    await run.apply(undefined, [script, context], { timeout: 3000, result: { promise: true, copy: true } })
    lap('run')
    run.release()
    script.release()
    context.release()
    lap('release')
    n++
  }
}
const us = (t: bigint) => (Number(t / n) / 1000).toFixed(0)
console.table(Object.keys(wall).map((stage) => ({ stage, 'wall µs': us(wall[stage as Stage]), 'isolate CPU µs': us(cpu[stage as Stage]) })))

async function mean(label: string, each: (program: string) => Promise<void>) {
  const start = { wall: process.hrtime.bigint(), cpu: isolate.cpuTime }
  for (let round = 0; round < rounds; round++) for (const program of programs) await each(program)
  const count = BigInt(rounds * programs.length)
  console.log(
    `${label}: ${Number((process.hrtime.bigint() - start.wall) / count) / 1000} µs wall, ${Number((isolate.cpuTime - start.cpu) / count) / 1000} µs isolate CPU`,
  )
}
// Before the snapshot: a plain isolate, and the shim's whole bundle run in each new context.
const plain = new ivm.Isolate({ memoryLimit: 128 })
const shim = plain.compileScriptSync(shimSource(16_384), { filename: 'bonbench-shim.js' })
{
  const start = { wall: process.hrtime.bigint(), cpu: plain.cpuTime }
  for (let round = 0; round < rounds; round++)
    for (let i = 0; i < programs.length; i++) {
      const context = await plain.createContext()
      ;((await shim.run(context, { reference: true })) as ivm.Reference).release()
      context.release()
    }
  const count = BigInt(rounds * programs.length)
  console.log(
    `plain isolate, no snapshot: make a context + run the shim's bundle in it: ${Number((process.hrtime.bigint() - start.wall) / count) / 1000} µs wall, ${Number((plain.cpuTime - start.cpu) / count) / 1000} µs isolate CPU`,
  )
  plain.dispose()
}
await mean('snapshot isolate: make a context + install the shim', async () => {
  const context = await isolate.createContext()
  ;((await arm.run(context, { reference: true })) as ivm.Reference).release()
  context.release()
})
await mean('fresh context, no shim (stubs), compile + run', async (program) => {
  const context = await isolate.createContext()
  await context.eval(stubs)
  const script = isolate.compileScriptSync(program, { filename: 'candidate.js' })
  await script.run(context, { timeout: 3000 }).catch(() => {})
  script.release()
  context.release()
})
const reused = await isolate.createContext()
await reused.eval(stubs)
await mean('one reused context (program as a function body), compile + run', async (program) => {
  const script = isolate.compileScriptSync(`(function () {\n${program}\n})()`, { filename: 'candidate.js' })
  await script.run(reused, { timeout: 3000 }).catch(() => {})
  script.release()
})
const check = `(() => {
  const seen = new Set(), list = []
  const visit = (o) => {
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) return
    seen.add(o); list.push(o); visit(Object.getPrototypeOf(o))
    for (const k of Reflect.ownKeys(o)) { const d = Object.getOwnPropertyDescriptor(o, k); if ('value' in d) visit(d.value); else { visit(d.get); visit(d.set) } }
  }
  visit(globalThis); visit(Object.getPrototypeOf(function* () {})); visit(Object.getPrototypeOf(async function () {})); visit(Object.getPrototypeOf([][Symbol.iterator]()))
  const saved = list.map((o) => ({ o, keys: Reflect.ownKeys(o), descriptors: Reflect.ownKeys(o).map((k) => Object.getOwnPropertyDescriptor(o, k)) }))
  const same = () => saved.every(({ o, keys, descriptors }) => {
    const now = Reflect.ownKeys(o)
    return now.length === keys.length && now.every((k, i) => {
      const a = Object.getOwnPropertyDescriptor(o, k), b = descriptors[i]
      return k === keys[i] && Object.is(a.value, b.value) && a.get === b.get && a.set === b.set && a.writable === b.writable && a.enumerable === b.enumerable && a.configurable === b.configurable
    })
  })
  return { list, same }
})()`
const checker = (await reused.eval(check, { reference: true })) as ivm.Reference<{ list: unknown[]; same: () => boolean }>
const objects = await reused.eval(`(${check}).list.length`)
const same = (await checker.get('same', { reference: true })) as ivm.Reference<() => boolean>
await mean(`checking that the ${objects} built-in objects of a reused context are unchanged`, async () => {
  if (!(await same.apply(undefined, [], { result: { copy: true } }))) throw new Error('sandbox-profile: the check found a change in an untouched context')
})
isolate.dispose()
