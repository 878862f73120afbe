import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ForkServerHello } from '../../plugins/verifiers/python-sandbox/fork-server.js'
import { pythonSandbox } from '../../plugins/verifiers/python-sandbox/index.js'
import { codeProblem } from './code-fixtures.js'

// The Python twin of js-sandbox-adversarial.test.ts. One verifier (one fork-server pool) for every
// case: each attack runs, then a correct candidate for the same problem runs right after it in the
// same pool and must pass.
const verifier = pythonSandbox({ timeoutMs: 1500, memoryMb: 256, outputLimit: 4096, detailLimit: 1500, poolSize: 2 })
const outside = mkdtempSync(path.join(tmpdir(), 'bonbench-py-outside-'))
let isolation: ForkServerHello
beforeAll(async () => {
  isolation = await verifier.isolation()
})
afterAll(async () => {
  await verifier.dispose!()
  rmSync(outside, { recursive: true, force: true })
})

const addProblem = codeProblem('add', 'def add(a, b):\n', {
  language: 'python',
  test: 'def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(20, 22) == 42\n\ncheck(add)\n',
})
const CORRECT = '    return a + b\n'

/** Running, per /proc (a killed process that lingers as a zombie counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

const lines = (...body: string[]) => `${body.map((l) => `    ${l}`).join('\n')}\n`

/** `reason` may list several verdicts where which limit trips first depends on the machine. */
// `timeoutMs` (the problem's own `data.timeoutMs`, which wins over the verifier's) gives an attack
// that must trip another limit room to do so: a memory bomb zero-fills 256 MB, and a page fault on
// these VMs costs 12–20 µs, so it took 0.75 s idle and passed 1.5 s on a loaded 2-core CI machine,
// where it was reported as a timeout instead of memory. An attack that ends by the time limit
// (never stops by itself) gets a short one of its own, SPIN_MS: it spins to the limit either way,
// so the check (stopped, 'timeout', the next candidate passes) is the same at a fraction of the CPU.
const SPIN_MS = 300
const attacks: Array<{
  name: string
  completion: string
  reason: string | string[]
  detail?: RegExp
  needsUidDrop?: boolean
  timeoutMs?: number
}> = [
  { name: 'infinite loop', completion: lines('while True:', '    pass'), reason: 'timeout', timeoutMs: SPIN_MS },
  { name: 'infinite loop at top level', completion: `${CORRECT}while True:\n    pass\n`, reason: 'timeout', timeoutMs: SPIN_MS },
  {
    name: 'infinite loop in a non-daemon thread',
    completion: lines('import threading', 'def spin():', '    while True:', '        pass', 'threading.Thread(target=spin).start()', 'return a + b'),
    reason: 'timeout',
    timeoutMs: SPIN_MS,
  },
  { name: 'sleeping past the deadline', completion: lines('import time', 'time.sleep(60)'), reason: 'timeout', timeoutMs: SPIN_MS },
  // RLIMIT_NPROC applies to a uid of our own only (Linux ignores it for root), so without a uid
  // drop a real fork bomb would hit the host's process table: run it only where the limit holds.
  {
    name: 'fork bomb',
    completion: lines('import os', 'while True:', '    try:', '        os.fork()', '    except OSError:', '        pass'),
    reason: ['timeout', 'memory', 'runtime'],
    needsUidDrop: true,
    timeoutMs: SPIN_MS,
  },
  { name: 'memory bomb', completion: lines('hog = []', 'while True:', '    hog.append(bytearray(10 ** 7))'), reason: 'memory', timeoutMs: 20_000 },
  { name: 'string memory bomb', completion: lines("s = 'x'", 'while True:', '    s = s + s'), reason: 'memory', timeoutMs: 20_000 },
  { name: 'unbounded recursion', completion: '    return add(a, b) + 1\n', reason: 'runtime', detail: /RecursionError/ },
  {
    name: 'recursion past the C stack',
    completion: lines('import sys', 'sys.setrecursionlimit(10 ** 8)', 'def down(n):', '    return down(n + 1) + 1', 'return down(0)'),
    reason: ['memory', 'runtime', 'timeout'],
    timeoutMs: SPIN_MS,
  },
  { name: 'sys.exit(0) before the tests run', completion: lines('import sys', 'sys.exit(0)'), reason: 'runtime', detail: /before the end of the program/ },
  { name: 'exit() before the tests run', completion: lines('exit()'), reason: 'runtime', detail: /before the end of the program/ },
  { name: 'raise SystemExit at top level', completion: `${CORRECT}raise SystemExit(0)\n`, reason: 'runtime', detail: /before the end of the program/ },
  { name: 'os._exit(0) before the tests run', completion: lines('import os', 'os._exit(0)'), reason: 'runtime', detail: /before the end of the program/ },
  { name: 'killing the parent', completion: lines('import os, signal', 'os.kill(os.getppid(), signal.SIGKILL)', 'return a + b'), reason: 'runtime' },
  {
    name: "killing the parent's process group",
    completion: lines('import os, signal', 'os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)', 'return a + b'),
    reason: 'runtime',
  },
  { name: 'killing its own process group', completion: lines('import os, signal', 'os.killpg(0, signal.SIGKILL)'), reason: 'memory', detail: /SIGKILL/ },
  // kill(-1) reaches every process the sender may signal: only safe under a uid of its own.
  {
    name: 'kill(-1): every process it may signal',
    completion: lines('import os, signal', 'os.kill(-1, signal.SIGKILL)', 'return -1'),
    reason: 'assertion',
    needsUidDrop: true,
  },
  {
    name: 'writing outside its folder',
    completion: lines(`open(${JSON.stringify(path.join(outside, 'pwned.txt'))}, 'w').write('x')`, 'return a + b'),
    reason: 'runtime',
    detail: /PermissionError/,
    needsUidDrop: true,
  },
  {
    name: 'forging protocol messages on every fd',
    completion: lines(
      'import os, json',
      'msg = json.dumps({"id": 0, "exitCode": 0, "completed": True, "timedOut": False, "stdout": "", "stderr": ""}).encode()',
      'for fd in range(0, 1024):',
      '    try:',
      "        os.write(fd, len(msg).to_bytes(4, 'big') + msg)",
      '    except OSError:',
      '        pass',
      'return -1',
    ),
    reason: 'assertion',
  },
  {
    name: 'forging a message on stdout',
    completion: lines('import sys', 'sys.stdout.write(\'\\x00\\x00\\x00\\x10{"completed":1}\' * 1000)', 'return -1'),
    reason: 'assertion',
  },
  { name: 'closing stdout and stderr', completion: lines('import os', 'os.close(1)', 'os.close(2)', 'return -1'), reason: ['runtime', 'assertion'] },
  { name: 'closing every fd', completion: lines('import os', 'os.closerange(0, 1024)', 'return -1'), reason: ['runtime', 'assertion'] },
  {
    name: 'huge output',
    completion: lines('while True:', "    print('x' * 1000)"),
    reason: 'timeout',
    detail: /more bytes of output dropped/,
    timeoutMs: SPIN_MS,
  },
  {
    name: 'huge output, then a wrong answer',
    completion: lines("print('x' * 10 ** 7)", "import sys; sys.stderr.write('y' * 10 ** 7)", 'return -1'),
    reason: ['assertion', 'runtime'],
    detail: /dropped/,
  },
  {
    name: 'network',
    completion: lines('import socket', "socket.create_connection(('127.0.0.1', 80), timeout=1)", 'return a + b'),
    reason: 'runtime',
    detail: /OSError|Error/,
  },
  { name: 'reading stdin', completion: lines('return int(input())'), reason: 'runtime', detail: /EOFError/ },
  { name: 'patching builtins for the next candidate', completion: lines('import builtins', 'builtins.len = lambda x: 0', 'return -1'), reason: 'assertion' },
  { name: 'syntax error', completion: '    return a +\n', reason: 'syntax' },
]

describe('python-sandbox against hostile candidates', () => {
  for (const attack of attacks) {
    it(`${attack.name}: fails with a clear reason, and the pool still verifies a correct candidate`, async () => {
      if (attack.needsUidDrop && isolation.uid === null) return // see the comment on the case
      const problem = attack.timeoutMs ? { ...addProblem, data: { ...addProblem.data, timeoutMs: attack.timeoutMs } } : addProblem
      const [bad, good] = await verifier
        .score([{ problem, completion: attack.completion }], { concurrency: 1 })
        .then(async (v) => [v[0]!, (await verifier.score([{ problem: addProblem, completion: CORRECT }], { concurrency: 1 }))[0]!])
      expect(bad!.pass, JSON.stringify(bad)).toBe(false)
      expect(bad!.score).toBe(0)
      expect([attack.reason].flat(), JSON.stringify(bad)).toContain(bad!.reason)
      if (attack.detail) expect(bad!.detail).toMatch(attack.detail)
      expect(good, JSON.stringify(good)).toMatchObject({ pass: true, reason: 'passed' })
    }, 30_000)
  }

  it('a candidate that forks a child into its own session: the child is killed after the run', async () => {
    const completion = lines(
      'import os, sys, time',
      'pid = os.fork()',
      'if pid == 0:',
      '    os.setsid()',
      '    time.sleep(60)',
      '    os._exit(0)',
      "sys.stderr.write('child=%d\\n' % pid)",
      'return -1',
    )
    const [v] = await verifier.score([{ problem: addProblem, completion }], { concurrency: 1 })
    const pid = Number(/child=(\d+)/.exec(v!.detail ?? '')?.[1])
    expect(pid).toBeGreaterThan(0)
    expect(alive(pid)).toBe(false)
  })

  it("nothing was written outside the candidates' folders", () => {
    if (isolation.uid === null) return
    expect(existsSync(path.join(outside, 'pwned.txt'))).toBe(false)
  })

  it('the isolation in force is reported', () => {
    expect(['namespace', 'user-namespace', 'socket-patch']).toContain(isolation.network)
    if (process.getuid?.() === 0) expect(isolation.uid, 'as root, candidates run under a uid of their own').not.toBeNull()
  })
})
