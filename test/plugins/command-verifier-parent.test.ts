import { execa } from 'execa'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { Verdict } from '../../core/plugin-api/verifier.js'
import { command } from '../../plugins/verifiers/command/index.js'
import { alive, candidatePid } from '../helpers/candidate-pid.js'
import { addProblem, codeProblem, CORRECT_ADD } from './code-fixtures.js'

// A candidate must not take bench down by killing its parent (issue: `os.kill(os.getppid(),
// SIGKILL)` ended `bench verify` with exit 137 and no verdict saved). The runner puts a wrapper
// shell between bench and the candidate; these tests pin that, and that the candidate's own exit
// status and death by signal still reach the verdict as they did.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-cmd-parent-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const verifier = command({ timeoutMs: 30_000, memoryMb: 256, outputLimit: 2000 })

const pyAdd = codeProblem('py-add', 'def add(a, b):\n', { language: 'python', test: 'assert add(1, 2) == 3\n' })
const PY_OK = '    return a + b\n'
// Each writes its pid, kills its parent, then sleeps (blocking: the JavaScript one must not go on to
// the test's next call, which would write its marker again) until the group kill ends it.
const pyKillParent = (marker: string) =>
  `    import os, signal, time\n    open(${JSON.stringify(marker)}, 'w').write(str(os.getpid()))\n    os.kill(os.getppid(), signal.SIGKILL)\n    time.sleep(3600)\n`
const jsKillParent = (marker: string) =>
  `  require('node:fs').writeFileSync(${JSON.stringify(marker)}, String(process.pid))\n  process.kill(process.ppid, 'SIGKILL')\n  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)\n  return a + b\n}\n`

describe('command verifier: a candidate that kills its parent', () => {
  it('gets a failing verdict while the rest of its batch keeps theirs, and the process scoring them survives', async () => {
    const pyMarker = path.join(dir, 'py.pid')
    const jsMarker = path.join(dir, 'js.pid')
    const items = [
      { problem: pyAdd, completion: PY_OK },
      { problem: pyAdd, completion: pyKillParent(pyMarker) },
      { problem: pyAdd, completion: '    return a - b\n' },
      { problem: addProblem, completion: CORRECT_ADD },
      { problem: addProblem, completion: jsKillParent(jsMarker) },
      { problem: addProblem, completion: '  return a - b\n}\n' },
    ]
    // The real verifier in a process of its own: were a candidate's parent the scoring process, it
    // would be that process that dies (an assertion below fails), not this test's worker.
    const module = pathToFileURL(path.join(repoRoot, 'plugins/verifiers/command/index.ts')).href
    const script = [
      `import { command } from '${module}'`,
      'const verifier = command({ timeoutMs: 30_000, memoryMb: 256, outputLimit: 2000 })',
      `const verdicts = await verifier.score(${JSON.stringify(items)}, { concurrency: 3 })`,
      'process.stdout.write(JSON.stringify(verdicts))',
    ].join('\n')
    const child = await execa(process.execPath, ['--conditions=bonbench-source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      reject: false,
      timeout: 45_000,
    })
    expect({ signal: child.signal, exitCode: child.exitCode }, `${child.stdout}\n${child.stderr}`).toEqual({ signal: undefined, exitCode: 0 })
    const verdicts = JSON.parse(child.stdout) as Verdict[]
    expect(verdicts.map((v) => [v.pass, v.reason])).toEqual([
      [true, 'passed'],
      [false, 'runtime'],
      [false, 'assertion'],
      [true, 'passed'],
      [false, 'runtime'],
      [false, 'assertion'],
    ])
    for (const v of [verdicts[1]!, verdicts[4]!]) {
      expect(v).toMatchObject({ score: 0, reward: 0 })
      expect(v.detail).toMatch(/parent process \(the runner\) was killed by SIGKILL/)
    }
    // The candidates themselves (sleeping for an hour after the kill) went with their process group.
    for (const marker of [pyMarker, jsMarker]) {
      const pid = await candidatePid(marker)
      while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(alive(pid)).toBe(false)
    }
  })

  it("a candidate's parent is not the process that scores it", async () => {
    const pyMarker = path.join(dir, 'py.ppid')
    const jsMarker = path.join(dir, 'js.ppid')
    const verdicts = await verifier.score(
      [
        { problem: pyAdd, completion: `    import os\n    open(${JSON.stringify(pyMarker)}, 'w').write(str(os.getppid()))\n    return a + b\n` },
        { problem: addProblem, completion: `  require('node:fs').writeFileSync(${JSON.stringify(jsMarker)}, String(process.ppid))\n  return a + b\n}\n` },
      ],
      { concurrency: 2 },
    )
    expect(verdicts.map((v) => v.reason)).toEqual(['passed', 'passed'])
    for (const marker of [pyMarker, jsMarker]) {
      const ppid = Number(readFileSync(marker, 'utf8'))
      expect(ppid).toBeGreaterThan(1)
      expect(ppid).not.toBe(process.pid)
    }
  })
})

describe("command verifier: the candidate's exit reaches the verdict through the wrapper unchanged", () => {
  const jsProblem = codeProblem('js', '', { language: 'javascript', test: '' })
  const cases: Array<[string, string, ReturnType<typeof codeProblem>, string, RegExp]> = [
    ['python exit 3', 'runtime', pyAdd, '    import sys\n    sys.exit(3)\n', /^exit 3\n/],
    ['python SIGSEGV', 'memory', pyAdd, '    import os, signal\n    os.kill(os.getpid(), signal.SIGSEGV)\n', /^killed by SIGSEGV /],
    ['python SIGKILL', 'memory', pyAdd, '    import os, signal\n    os.kill(os.getpid(), signal.SIGKILL)\n', /^killed by SIGKILL /],
    ['python SIGTERM', 'runtime', pyAdd, '    import os, signal\n    os.kill(os.getpid(), signal.SIGTERM)\n', /^exit SIGTERM\n/],
    ['python runtime error', 'runtime', pyAdd, '    return 1 / 0\n', /ZeroDivisionError/],
    ['node exit 3', 'runtime', jsProblem, 'process.exit(3)\n', /^exit 3\n/],
    ['node SIGABRT', 'memory', jsProblem, "process.kill(process.pid, 'SIGABRT')\n", /^killed by SIGABRT /],
    ['node thrown error', 'runtime', jsProblem, "throw new TypeError('boom')\n", /TypeError: boom/],
    ['node heap exhausted', 'memory', jsProblem, 'const a = []\nfor (;;) a.push(new Array(1e6).fill(1))\n', /heap out of memory/],
    ['node exit 0 after stderr output', 'passed', jsProblem, "console.error('note')\n", /^$/],
  ]
  it.each(cases)('%s → %s', async (_label, reason, problem, completion, detail) => {
    const [v] = await verifier.score([{ problem, completion }], { concurrency: 1 })
    expect(v!.reason, v!.detail).toBe(reason)
    expect(v!.pass).toBe(reason === 'passed')
    expect(v!.detail ?? '').toMatch(detail)
    // The wrapper shell's own job messages ("Segmentation fault", "Killed") stay out of the detail.
    expect(v!.detail ?? '').not.toMatch(/^(Segmentation fault|Killed|Aborted)/m)
  })

  it('a node candidate that never ends → timeout', async () => {
    // A short limit of its own (the problem's `data.timeoutMs`): it spins to it either way.
    const forever = codeProblem('js', '', { language: 'javascript', test: '', timeoutMs: 500 })
    const [v] = await verifier.score([{ problem: forever, completion: 'for (;;) {}\n' }], { concurrency: 1 })
    expect(v).toMatchObject({ pass: false, reason: 'timeout' })
  })
})
