import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bench, type BenchResult, sharedData, tempDir } from './cli-helper.js'

// Every command runs as a child process (node bin/bench.js → the CLI) against hostile or broken
// input and must exit on its own once its work is done. The deadline is generous: passing it
// means the process hung (it is killed and the test fails), never that the machine was slow.
const DEADLINE_MS = 120_000
/** What the CLI prints when something kept it alive after its command returned (cli/main.ts). */
const HELD_OPEN = 'still held the process'

const project = tempDir('bonbench-exit-')
afterAll(() => project.cleanup())
const at = (...parts: string[]) => path.join(project.dir, ...parts)
const run = (args: string[]) => bench(args, { cwd: project.dir, timeout: DEADLINE_MS })

/** The process exited by itself (not killed at the deadline), with nothing left holding it open. */
function expectExited(result: BenchResult, code: number): void {
  expect(result.timedOut, `still running after ${DEADLINE_MS} ms\n${result.stderr}`).toBe(false)
  expect(result.exitCode, result.stderr + result.stdout).toBe(code)
  expect(result.stderr).not.toContain(HELD_OPEN)
}

const multipleE = path.join(sharedData, 'humaneval_js/humaneval-js.multiple-e.jsonl')
const LOOP = 'for (;;) {}'
// Thrown from `add`, which MultiPL-E's test calls synchronously at the top level of the program.
const hostileThrows = [
  `{ toString() { ${LOOP} } }`,
  `{ get message() { ${LOOP} }, get stack() { ${LOOP} }, get name() { ${LOOP} } }`,
  `new Proxy({}, { get() { ${LOOP} }, has() { ${LOOP} }, ownKeys() { ${LOOP} }, getOwnPropertyDescriptor() { ${LOOP} }, getPrototypeOf() { ${LOOP} } })`,
  'function evil() {}',
  `Object.defineProperty(new Error('x'), 'message', { get() { ${LOOP} } })`,
  `Object.defineProperty(new Error('x'), 'stack', { get() { ${LOOP} } })`,
  `{ [Symbol.toPrimitive]() { ${LOOP} } }`,
  `new (class extends Error { get name() { ${LOOP} } })('x')`,
]
const correct = '  return x + y\n}\n'

/**
 * A config giving the JavaScript sandbox a short time limit (the default is 3 s): a looping
 * candidate runs to it, so it is most of these tests' CPU; what they check is the verdicts and
 * the exit, not the limit.
 */
function shortLimit(): string {
  const config = at('short-limit.config.json')
  writeFileSync(config, JSON.stringify({ plugins: [['js-sandbox', { timeoutMs: 400 }]] }))
  return config
}

/**
 * `bench verify humaneval-js` of `samples` (one JSON summary), `concurrency` at once, with the short
 * time limit; through the executable itself (`launcher`) where what is tested is its exit grace.
 */
const verifyJs = (samples: string, concurrency: number, opts: { launcher?: boolean; env?: Record<string, string> } = {}) =>
  bench(
    ['verify', 'humaneval-js', '--data', multipleE, '--samples', samples, '--k', '1', '--json', '--concurrency', String(concurrency), '--config', shortLimit()],
    { cwd: project.dir, timeout: DEADLINE_MS, ...opts },
  )

function writeSamples(file: string, completions: string[]): void {
  writeFileSync(file, completions.map((completion) => JSON.stringify({ task_id: 'HumanEval_53_add', completion })).join('\n') + '\n')
}

describe('every command exits once its work is done', () => {
  it(
    'bench verify with candidates that throw hostile values: right verdicts, results written, exits 0',
    async () => {
      const samples = at('hostile.jsonl')
      writeSamples(samples, [...hostileThrows.map((v) => `  throw ${v}\n}\n`), correct])
      const result = await verifyJs(samples, 2)
      expectExited(result, 0)
      const summary = JSON.parse(result.stdout)
      expect(summary).toMatchObject({ problems: 1, samples: hostileThrows.length + 1 })
      expect(summary.passAtK['1']).toBeCloseTo(1 / (hostileThrows.length + 1), 12)
      const lines = readFileSync(`${samples}_results.jsonl`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { passed: boolean; result: string; detail?: string })
      expect(lines.map((l) => l.passed)).toEqual([...hostileThrows.map(() => false), true])
      for (const line of lines.slice(0, -1)) {
        expect(['runtime', 'timeout'], line.detail).toContain(line.result)
        expect(line.detail).not.toContain('wall-clock')
      }
    },
    DEADLINE_MS + 10_000,
  )

  it(
    'bench verify with a hostile rejection nobody handles (a known isolated-vm hole): the verdict fails it and the CLI still exits',
    async () => {
      // isolated-vm copies an unhandled rejection's value itself, outside any time limit; the CLI's
      // exit grace bounds the process and says so (plugins/verifiers/js-sandbox/README.md). The
      // stuck thread spins through the graces (the CLI's 5 s, then the executable's 2 s before it
      // ends the CLI): BENCH_TEST_EXIT_GRACE_MS makes both 300 ms, the same path.
      const samples = at('floating.jsonl')
      writeSamples(samples, [`  Promise.reject(new Proxy({}, { get() { ${LOOP} } }))\n  return x + y\n}\n`, correct])
      const result = await verifyJs(samples, 1, { launcher: true, env: { BENCH_TEST_EXIT_GRACE_MS: '300' } })
      expect(result.timedOut, result.stderr).toBe(false)
      expect(result.exitCode, result.stderr).toBe(0)
      expect(JSON.parse(result.stdout)).toMatchObject({ samples: 2, passAtK: { '1': 0.5 }, verdicts: { passed: 1, timeout: 1 } })
      expect(result.stderr).toContain(HELD_OPEN)
    },
    DEADLINE_MS + 10_000,
  )

  it(
    'bench score with garbage, a nesting bomb and a corrupt gzip: exits 2 naming the file',
    async () => {
      const files: Array<[string, Buffer | string]> = [
        ['garbage.jsonl', 'garbage\n{"task_id": 1}\n'],
        ['nested.jsonl', `${'['.repeat(200_000)}${']'.repeat(200_000)}\n`],
        ['corrupt.jsonl.gz', gzipSync('{"task_id": "a", "completion": "x"}\n'.repeat(100)).subarray(0, 40)],
      ]
      for (const [name, content] of files) {
        writeFileSync(at(name), content)
        const result = await run(['score', at(name), '--k', '1'])
        expectExited(result, 2)
        expect(result.stderr).toContain(name)
      }
    },
    3 * DEADLINE_MS,
  )

  describe('a tiny toy run, then report / compare / findings on broken copies of it', () => {
    let runDir = ''
    const runs = at('runs')

    beforeAll(async () => {
      const result = await run([
        'run',
        'toy',
        '--model',
        'tabular',
        '--strategies',
        'rl',
        '--n',
        '1,2',
        '--steps',
        '3',
        '--seeds',
        '0',
        '--no-tui',
        '--runs-dir',
        runs,
      ])
      expectExited(result, 0)
      runDir = /run directory: (.+)/.exec(result.stdout)![1]!.trim()
    }, DEADLINE_MS + 10_000)

    it('bench run exits 0 and leaves its reports', () => {
      for (const file of ['run.json', 'journal.jsonl', 'results.json', 'report.md']) expect(existsSync(path.join(runDir, file)), file).toBe(true)
    })

    it(
      'bench eval of its checkpoint exits 0',
      async () => {
        const checkpoints = path.join(runDir, 'checkpoints')
        const cell = readdirSync(checkpoints)[0]!
        const result = await run([
          'eval',
          'toy',
          '--model',
          'tabular',
          '--checkpoint',
          path.join(checkpoints, cell),
          '--n',
          '1,2',
          '--no-tui',
          '--no-reports',
          '--runs-dir',
          runs,
        ])
        expectExited(result, 0)
        expect(result.stdout).toContain('run directory:')
      },
      DEADLINE_MS + 10_000,
    )

    it(
      'bench report / compare / findings on a torn journal and on a garbage journal',
      async () => {
        const journal = readFileSync(path.join(runDir, 'journal.jsonl'))
        const manifest = readFileSync(path.join(runDir, 'run.json'))
        const torn = at('torn')
        const garbage = at('garbage')
        for (const dir of [torn, garbage]) {
          mkdirSync(dir, { recursive: true })
          writeFileSync(path.join(dir, 'run.json'), manifest)
        }
        // Cut mid-record, as a killed run leaves it; and lines that are no records at all.
        writeFileSync(path.join(torn, 'journal.jsonl'), journal.subarray(0, Math.floor(journal.length / 2)))
        writeFileSync(path.join(garbage, 'journal.jsonl'), 'not json\n{"type":"cell"}\n\u0000\u0001garbage\n{"type":"pool","cellId":1}\n')

        const tornReport = await run(['report', torn])
        expectExited(tornReport, 0)
        expect(existsSync(path.join(torn, 'results.json'))).toBe(true)
        const garbageReport = await run(['report', garbage])
        expectExited(garbageReport, 2)
        expect(garbageReport.stderr).toContain('bad line')

        const compared = await run(['compare', runDir, torn])
        expectExited(compared, 0)
        const comparedGarbage = await run(['compare', runDir, garbage])
        expectExited(comparedGarbage, 2)
        expect(comparedGarbage.stderr).toContain('bad line')

        const findings = await run(['findings', path.join(torn, 'results.json')])
        expectExited(findings, 0)
        const notResults = await run(['findings', path.join(garbage, 'journal.jsonl')])
        expectExited(notResults, 2)
      },
      6 * DEADLINE_MS,
    )
  })
})
