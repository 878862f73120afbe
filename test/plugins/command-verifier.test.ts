import { randomUUID } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { humaneval } from '../../plugins/tasks/humaneval/index.js'
import { humanevalJs } from '../../plugins/tasks/humaneval-js/index.js'
import { command } from '../../plugins/verifiers/command/index.js'
import { isBenchError } from '../../core/errors.js'
import { codeProblem, humanevalPyFile, humanevalXFile } from './code-fixtures.js'

// A limit far above what any finishing candidate here needs, even on a loaded machine: only a
// program that never ends meets it, so no verdict depends on the machine's speed (issue 12 §6).
const verifier = command({ timeoutMs: 30_000, memoryMb: 256, outputLimit: 2000 })

const pyAdd = codeProblem('py-add', 'def add(a, b):\n', { language: 'python', test: 'assert add(1, 2) == 3\nassert add(-1, 1) == 0\n' })
// A short limit (the problem's `data.timeoutMs`, which wins over the verifier's), for the one
// candidate that can only end by it: it spins to the limit either way.
const pyAddTight = { ...pyAdd, data: { ...(pyAdd.data as object), timeoutMs: 500 } }
const PY_OK = '    return a + b\n'

/** Running (a killed process may linger as a zombie until its new parent reaps it; that counts as dead). */
async function alive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    return !/^\d+ \(.*\) [ZX]/.test(stat)
  } catch {
    return false
  }
}

describe('command verifier with python3', () => {
  it('grades HumanEval canonical solutions as passing and a wrong body as an assertion failure', async () => {
    const data = await humaneval({ limit: 4 }).load({ seed: 0, dataPath: humanevalPyFile })
    const items = data.test.flatMap((problem) => [
      { problem, completion: problem.expert! },
      { problem, completion: '    return None\n' },
    ])
    const verdicts = await verifier.score(items, { concurrency: 2 })
    expect(verdicts.map((v) => v.pass)).toEqual(items.map((_, i) => i % 2 === 0))
    for (const v of verdicts.filter((_, i) => i % 2 === 1)) expect(['assertion', 'runtime']).toContain(v.reason)
    expect(verdicts[1]!.reason).toBe('assertion')
  })

  const cases: Array<[string, string, string]> = [
    ['infinite loop', '    while True: pass\n', 'timeout'],
    ['memory bomb', '    x = bytearray(10**10)\n', 'memory'],
    ['syntax error', '    return (\n', 'syntax'],
    ['runtime error', '    return 1 / 0\n', 'runtime'],
    ['unbounded recursion', '    return add(a, b)\n', 'runtime'],
    ['huge output', "    print('x' * 10**7)\n    return 0\n", 'assertion'],
  ]
  it.each(cases)('%s → %s, then a correct candidate passes', async (_label, completion, reason) => {
    const [bad, good] = await verifier.score(
      [
        { problem: reason === 'timeout' ? pyAddTight : pyAdd, completion },
        { problem: pyAdd, completion: PY_OK },
      ],
      { concurrency: 1 },
    )
    expect(bad!.reason, bad!.detail).toBe(reason)
    expect(bad!.detail?.length ?? 0).toBeLessThan(2200)
    expect(good).toMatchObject({ pass: true, reason: 'passed', score: 1, reward: 1 })
  })

  it('kills the whole process group: a background grandchild does not outlive the run', async () => {
    const marker = path.join(tmpdir(), `bonbench-grandchild-${process.pid}-${randomUUID()}`)
    // The grandchild would hold the output pipes open for an hour: a verifier that waited for
    // them would end only at its 30 s limit, with a 'timeout' verdict instead of a pass.
    const completion = `    import subprocess\n    p = subprocess.Popen(['sleep', '3600'])\n    open(${JSON.stringify(marker)}, 'w').write(str(p.pid))\n    return a + b\n`
    const [v] = await verifier.score([{ problem: pyAdd, completion }], { concurrency: 1 })
    expect(v).toMatchObject({ pass: true, reason: 'passed' })
    const pid = Number(await readFile(marker, 'utf8'))
    await rm(marker)
    // SIGKILL was sent to the group before score() returned; wait for the kernel to finish it
    // (no deadline here: a grandchild that survives fails the test by its timeout).
    while (await alive(pid)) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(await alive(pid)).toBe(false)
  })

  it('says clearly when the interpreter is missing', async () => {
    const missing = command({ languages: { python: { command: ['python3-not-installed-here', '{file}'], extension: '.py' } } })
    let error: unknown
    try {
      await missing.score([{ problem: pyAdd, completion: PY_OK }], { concurrency: 1 })
    } catch (e) {
      error = e
    }
    expect(isBenchError(error) && error.code).toBe('BENCH_BACKEND_UNAVAILABLE')
    expect(String(error)).toMatch(/python3-not-installed-here.*not found on PATH.*install Python 3/s)
  })

  it('rejects bad options and unknown languages, naming the plugin', async () => {
    expect(() => command({ timeoutMs: -1 })).toThrow(/bonbench:command/)
    expect(() => command({ languages: { ruby: { command: [], extension: '.rb' } } } as never)).toThrow(/bonbench:command/)
    const ruby = codeProblem('rb', 'def f\n', { language: 'ruby', test: 'raise unless f == 1' })
    await expect(verifier.score([{ problem: ruby, completion: '1\nend\n' }], { concurrency: 1 })).rejects.toMatchObject({ code: 'BENCH_DATA_INVALID' })
  })
})

describe('command verifier with node (the process-per-candidate runner)', () => {
  it('fails HumanEval-X on stderr output (console.assert) and passes the reference', async () => {
    const data = await humanevalJs({ limit: 2 }).load({ seed: 0, dataPath: humanevalXFile })
    const problem = data.test[0]!
    const [good, bad] = await verifier.score(
      [
        { problem, completion: problem.expert! },
        { problem, completion: '  return true\n}\n' },
      ],
      { concurrency: 2 },
    )
    expect(good).toMatchObject({ pass: true, reason: 'passed' })
    expect(bad).toMatchObject({ pass: false, reason: 'assertion' })
  })
})
