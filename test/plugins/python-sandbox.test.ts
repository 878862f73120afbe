import { execa } from 'execa'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readVerifySamples } from '../../cli/verify-samples.js'
import type { Problem } from '../../core/plugin-api/task.js'
import { humaneval } from '../../plugins/tasks/humaneval/index.js'
import { command } from '../../plugins/verifiers/command/index.js'
import { pythonSandbox, verdictOf } from '../../plugins/verifiers/python-sandbox/index.js'
import { alive, candidatePid } from '../helpers/candidate-pid.js'
import { codeProblem, humanevalPyFile, sharedData } from './code-fixtures.js'

const codetFile = path.join(sharedData, 'samples/codet_codegen16B_humaneval_format.jsonl.gz')
const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-py-sandbox-'))
const verifier = pythonSandbox()
afterAll(async () => {
  await verifier.dispose!()
  rmSync(dir, { recursive: true, force: true })
})

async function humanevalProblems(): Promise<Problem[]> {
  return (await humaneval().load({ seed: 0, dataPath: humanevalPyFile })).test
}

// That every HumanEval reference solution (164) passes python-sandbox (default options) is checked
// by e2e/verify.test.ts ("humaneval (Python): 164 of 164 canonical solutions pass"), through bench
// verify, which grades with it: the same check, not repeated here.
describe('python-sandbox verdicts', () => {
  it('gives the verdicts of a process per candidate (the command verifier) on CodeT CodeGen-16B samples: 300 through the fork servers, a stratified subset both ways', async () => {
    const problems = await humanevalProblems()
    const byId = new Map(problems.map((p) => [p.id, p]))
    const samples = await readVerifySamples(codetFile, new Set(byId.keys()))
    expect(samples).toHaveLength(16_400)
    // Spread over all 164 problems; the offset varies the sample within each problem.
    const picked = Array.from({ length: 300 }, (_, i) => samples[Math.floor((i * samples.length) / 300) + (i % 50)]!)
    const items = picked.map((s) => ({ problem: byId.get(s.taskId)!, completion: s.completion }))
    // Candidates that loop run to the time limit, in both verifiers: a shorter one than the default
    // 3 s (the same for both) keeps most of this test's time off them; the verdicts compared are
    // the same kinds.
    const limit = { timeoutMs: 1500 }
    const shortLimit = pythonSandbox(limit)
    const forked = await shortLimit.score(items, { concurrency: 2 }).finally(() => shortLimit.dispose!())
    // Some pass and some fail, so the comparison means something.
    expect(forked.filter((v) => v.pass).length).toBeGreaterThan(30)
    expect(forked.filter((v) => !v.pass).length).toBeGreaterThan(30)
    // A process per candidate costs a Python start each (the 300 took half a minute): it checks up to
    // 10 candidates of each verdict reason the fork servers gave, spread over the 300, so every kind
    // of verdict (pass, failed assertion, syntax error, runtime error, timeout) is compared.
    const byReason = new Map<string, number[]>()
    forked.forEach((v, i) => byReason.set(v.reason, [...(byReason.get(v.reason) ?? []), i]))
    expect([...byReason.keys()].sort()).toEqual(['assertion', 'passed', 'runtime', 'syntax', 'timeout'])
    const subset = [...byReason.values()].flatMap((group) => {
      const take = Math.min(10, group.length)
      return Array.from({ length: take }, (_, j) => group[Math.floor((j * group.length) / take)]!)
    })
    const processes = await command(limit).score(
      subset.map((i) => items[i]!),
      { concurrency: 2 },
    )
    const differ = subset.flatMap((i, j) =>
      forked[i]!.pass === processes[j]!.pass
        ? []
        : [`${picked[i]!.taskId}#${picked[i]!.line}: fork server ${forked[i]!.reason}, process ${processes[j]!.reason}`],
    )
    expect(differ).toEqual([])
    expect(subset.length).toBeGreaterThan(40)
  }, 300_000)

  it("gives a program what python3's site gives it (the server starts with -S and sets it up without the .pth imports), a fresh random seed and working threads", async () => {
    // What `python3 file.py` shows a program: its path past the program's folder, exit()/quit()/help
    // and the rest of builtins, how deep it may recurse. The fork server's candidate must see the same.
    const probe = [
      'import sys, builtins',
      'def deepest(n):',
      '    try:',
      '        return deepest(n + 1)',
      '    except RecursionError:',
      '        return n',
      'seen = repr((sys.path[1:], sorted(dir(builtins)), repr(exit), repr(quit), type(help).__name__, type(copyright).__name__, str(credits)[:20], deepest(0)))',
      '',
    ].join('\n')
    const file = path.join(dir, 'probe.py')
    writeFileSync(file, `${probe}print(seen)\n`)
    const expected = (await execa('python3', [file])).stdout.trim()
    const sees = codeProblem('sees', '', { language: 'python', test: `assert seen == ${JSON.stringify(expected)}, seen\n` })
    // random is not preloaded (its after-fork hook would run in every child): each candidate imports
    // and seeds its own, so two candidates draw different numbers; tempfile follows TMPDIR, the
    // candidate's folder; a thread runs and is joined.
    const draw = codeProblem('draw', '', {
      language: 'python',
      test: [
        'import os, random, tempfile, threading',
        "assert tempfile.gettempdir() == os.getcwd() == os.environ['TMPDIR'], tempfile.gettempdir()",
        'box = []',
        't = threading.Thread(target=lambda: box.append(threading.current_thread() is not threading.main_thread()))',
        't.start()',
        't.join()',
        'assert box == [True], box',
        "raise SystemExit('drew %r' % random.random())",
        '',
      ].join('\n'),
    })
    const [seen, first, second] = await verifier.score(
      [
        { problem: sees, completion: probe },
        { problem: draw, completion: '' },
        { problem: draw, completion: '' },
      ],
      { concurrency: 1 },
    )
    expect(seen).toMatchObject({ pass: true })
    expect(first!.detail).toMatch(/drew 0\.\d+/)
    expect(second!.detail).toMatch(/drew 0\.\d+/)
    expect(first!.detail!.match(/drew 0\.\d+/)![0]).not.toBe(second!.detail!.match(/drew 0\.\d+/)![0])
  }, 60_000)

  it('a run that exits 0 before its end is no pass; one that ran to the end is', () => {
    const run = { exitCode: 0, signal: undefined, timedOut: false, stdout: '', stderr: '', dropped: 0, wallMs: 1 }
    expect(verdictOf({ ...run, completed: true }, false, 100)).toMatchObject({ pass: true, reason: 'passed' })
    expect(verdictOf({ ...run, completed: false }, false, 100)).toMatchObject({ pass: false, reason: 'runtime' })
    expect(verdictOf({ ...run, completed: false, breach: 'the fork server exited (SIGKILL)' }, false, 100)).toMatchObject({
      pass: false,
      reason: 'runtime',
      detail: expect.stringContaining('sandbox breach'),
    })
  })

  it('refuses a problem that is not Python, naming the plugin', async () => {
    const js = codeProblem('js', 'function f(){\n', { language: 'javascript', test: 'f()' })
    await expect(verifier.score([{ problem: js, completion: '}' }], { concurrency: 1 })).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringContaining('bonbench:python-sandbox'),
    })
  })

  it('says clearly when the interpreter cannot start', async () => {
    const missing = pythonSandbox({ python: '/nonexistent/python3' })
    await expect(missing.setup!({ cacheDir: dir, log() {} })).rejects.toMatchObject({ code: 'BENCH_BACKEND_UNAVAILABLE' })
    await missing.dispose!()
  })
})

const forever = codeProblem('forever', '', { language: 'python', test: '' })
/** A candidate that records its pid and then never ends (its own time limit is far away). */
const hang = (marker: string) => `import os, time\nopen(${JSON.stringify(marker)}, 'w').write(str(os.getpid()))\ntime.sleep(600)\n`

describe('python-sandbox lifecycle', () => {
  it('dispose() kills a running candidate and every fork server: score rejects (no false verdict), nothing is left; it works again after', async () => {
    const v = pythonSandbox({ timeoutMs: 600_000, dropPrivileges: false })
    const { pid: server } = await v.isolation()
    const marker = path.join(dir, 'dispose.pid')
    const outcome = v.score([{ problem: forever, completion: hang(marker) }], { concurrency: 1 }).then(
      () => 'resolved',
      (e: { code?: string }) => e.code,
    )
    const pid = await candidatePid(marker)
    expect(alive(pid)).toBe(true)
    // Its parent is the server's forker (the server's child that forks candidates): it goes too.
    const forker = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1])
    expect(readFileSync(`/proc/${forker}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]).toBe(String(server))
    await v.dispose!()
    expect(await outcome).toBe('BENCH_ABORTED')
    expect(alive(pid)).toBe(false)
    expect(alive(server)).toBe(false)
    expect(alive(forker)).toBe(false)
    await v.dispose!()
    const [ok] = await v.score([{ problem: forever, completion: 'x = 1\n' }], { concurrency: 1 })
    expect(ok!.pass).toBe(true)
    await v.dispose!()
  }, 30_000)

  it('an aborted signal kills the running candidate; the pool replaces that server', async () => {
    const v = pythonSandbox({ timeoutMs: 600_000, dropPrivileges: false })
    const marker = path.join(dir, 'abort.pid')
    const controller = new AbortController()
    const outcome = v.score([{ problem: forever, completion: hang(marker) }], { concurrency: 1, signal: controller.signal }).then(
      () => 'resolved',
      (e: { code?: string }) => e.code,
    )
    const pid = await candidatePid(marker)
    controller.abort()
    expect(await outcome).toBe('BENCH_ABORTED')
    expect(alive(pid)).toBe(false)
    const [ok] = await v.score([{ problem: forever, completion: 'x = 1\n' }], { concurrency: 1 })
    expect(ok!.pass).toBe(true)
    await v.dispose!()
  }, 30_000)

  it("a candidate that kills its forker (it may, under the host's uid) is a breach: that server is gone and replaced", async () => {
    const v = pythonSandbox({ dropPrivileges: false, poolSize: 1 })
    const { pid: server } = await v.isolation()
    const [killed] = await v.score([{ problem: forever, completion: 'import os, signal, time\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(60)\n' }], {
      concurrency: 1,
    })
    expect(killed).toMatchObject({ pass: false, reason: 'runtime', detail: expect.stringContaining('sandbox breach') })
    const [ok] = await v.score([{ problem: forever, completion: 'x = 1\n' }], { concurrency: 1 })
    expect(ok!.pass).toBe(true)
    expect(alive(server)).toBe(false)
    expect((await v.isolation()).pid).not.toBe(server)
    await v.dispose!()
  }, 30_000)

  it('never runs more fork servers than its pool size', async () => {
    const v = pythonSandbox({ poolSize: 2, dropPrivileges: false })
    const log = path.join(dir, 'servers.log')
    const items = Array.from({ length: 12 }, () => ({
      problem: forever,
      completion: `import os, time\nopen(${JSON.stringify(log)}, 'a').write('%d\\n' % os.getppid())\ntime.sleep(0.05)\n`,
    }))
    const verdicts = await v.score(items, { concurrency: 8 })
    expect(verdicts.every((x) => x.pass)).toBe(true)
    expect(new Set(readFileSync(log, 'utf8').trim().split('\n')).size).toBeLessThanOrEqual(2)
    await v.dispose!()
  }, 30_000)
})
