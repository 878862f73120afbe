import { afterAll, describe, expect, it } from 'vitest'
import { pythonSandbox } from '../../plugins/verifiers/python-sandbox/index.js'
import { codeProblem } from './code-fixtures.js'

// What a candidate cannot reach (plugin README): the tests (not in its file, run in globals of
// their own with builtins of their own), the frames under it (the harness's, holding the
// completion token), tracing. Each attack below passed with no solution before the fix; each now
// fails. One verifier for all; a correct candidate passes after each attack.
const verifier = pythonSandbox({ timeoutMs: 3000, poolSize: 2 })
afterAll(async () => {
  await verifier.dispose!()
})

/** HumanEval-shaped: prompt, `def check(candidate)`, `check(entry_point)`. */
const humaneval = codeProblem('half', 'def half(x):\n', {
  language: 'python',
  test: 'def check(candidate):\n    assert abs(candidate(3) - 1.5) < 1e-9\n    assert abs(candidate(10) - 5) < 1e-9\n\ncheck(half)\n',
})
/** MBPP-shaped: the completion is the whole program, the tests top-level asserts. */
const mbpp = codeProblem('triple', '', {
  language: 'python',
  prefix: '',
  test: '\nassert triple(1) == 3\nassert triple(7) == 21\nassert triple(-2) == -6\n',
})

const lines = (...body: string[]) => `${body.join('\n')}\n`

const attacks: Array<{ name: string; problem: typeof humaneval; completion: string; correct: string }> = [
  {
    // H3: a tracer swaps the tests' `check` for a no-op before it is called.
    name: 'sys.settrace replaces check in the globals of the frame that calls it',
    problem: humaneval,
    completion: lines(
      '    return None',
      'import sys as _s',
      'def _tr(frame, event, arg):',
      '    g = frame.f_globals',
      "    if 'check' in g and getattr(g['check'], '__name__', '') == 'check':",
      "        g['check'] = lambda c: None",
      '    return _tr',
      '_s._getframe().f_trace = _tr',
      '_s.settrace(_tr)',
    ),
    correct: '    return x / 2\n',
  },
  {
    // H4: the tests were in the program file; the candidate read them through __file__ and
    // answered each assert's call with its right-hand side.
    name: 'reading the asserts from __file__ (an oracle, no tracing)',
    problem: mbpp,
    completion: lines(
      'import re as _re',
      '_want = {}',
      'for _line in open(__file__).read().split("\\n"):',
      '    _m = _re.match(r"assert triple\\((.*)\\) == (.*)$", _line)',
      '    if _m:',
      '        _want[eval(_m.group(1))] = eval(_m.group(2))',
      'def triple(x):',
      '    return _want.get(x)',
    ),
    correct: 'def triple(x):\n    return 3 * x\n',
  },
  {
    // H4 as reported: a tracer on the module frame reads each assert line and rebinds its function.
    name: 'tracing the module frame and rebinding the asserted function',
    problem: mbpp,
    completion: lines(
      'import sys as _s, re as _re',
      '_lines = open(__file__).read().split("\\n")',
      'def _tr(frame, event, arg):',
      "    if event == 'line' and frame.f_code.co_name == '<module>':",
      '        m = _re.match(r"\\s*assert\\s+(\\w+)\\((.*)\\)\\s*==\\s*(.*)$", _lines[frame.f_lineno - 1])',
      '        if m:',
      '            want = eval(m.group(3), frame.f_globals)',
      '            frame.f_globals[m.group(1)] = lambda *a, _w=want: _w',
      '    return _tr',
      '_s._getframe().f_trace = _tr',
      '_s.settrace(_tr)',
    ),
    correct: 'def triple(x):\n    return 3 * x\n',
  },
  {
    // M1: the completion token, found in a caller's frame, written to the done pipe before exiting.
    name: 'forging the completion token from the frames under it',
    problem: humaneval,
    completion: lines(
      '    return None',
      'import sys as _s, os as _o',
      '_f = _s._getframe()',
      'while _f is not None:',
      '    _l = _f.f_locals',
      "    if 'nonce' in _l and 'done_w' in _l:",
      "        _o.write(_l['done_w'], _l['nonce']); _o._exit(0)",
      '    _f = _f.f_back',
    ),
    correct: '    return x / 2\n',
  },
  {
    // M1 through a traceback: tb_frame, then f_back.
    name: 'forging the completion token through a traceback',
    problem: humaneval,
    completion: lines(
      '    return None',
      'import os as _o',
      'try:',
      '    raise ValueError',
      'except ValueError as _e:',
      '    _f = _e.__traceback__.tb_frame',
      'while _f is not None:',
      '    _l = _f.f_locals',
      "    if 'nonce' in _l and 'done_w' in _l:",
      "        _o.write(_l['done_w'], _l['nonce']); _o._exit(0)",
      '    _f = _f.f_back',
    ),
    correct: '    return x / 2\n',
  },
  {
    // M1 through a signal handler, which Python hands the frame that was running.
    name: 'forging the completion token through the frame a signal handler gets',
    problem: humaneval,
    completion: lines(
      '    return None',
      'import os as _o, signal as _sig',
      'def _h(signum, f):',
      '    while f is not None:',
      '        l = f.f_locals',
      "        if 'nonce' in l and 'done_w' in l:",
      "            _o.write(l['done_w'], l['nonce']); _o._exit(0)",
      '        f = f.f_back',
      '_sig.signal(_sig.SIGUSR1, _h)',
      '_o.kill(_o.getpid(), _sig.SIGUSR1)',
    ),
    correct: '    return x / 2\n',
  },
  {
    // M2 (its builtins half): the tests call abs(); the candidate's abs is not theirs.
    name: 'patching builtins.abs, which the tests use',
    problem: humaneval,
    completion: lines('    return 1.5', 'import builtins', 'builtins.abs = lambda x: 0', 'builtins.__dict__["abs"] = lambda x: 0'),
    correct: '    return x / 2\n',
  },
]

describe('python-sandbox: the tests, the frames under the candidate and the completion token are out of its reach', () => {
  for (const attack of attacks) {
    it(`${attack.name}: no pass; a correct candidate still passes`, async () => {
      const [bad, good] = await verifier.score(
        [
          { problem: attack.problem, completion: attack.completion },
          { problem: attack.problem, completion: attack.correct },
        ],
        { concurrency: 1 },
      )
      expect(bad!.pass, JSON.stringify(bad)).toBe(false)
      expect(good, JSON.stringify(good)).toMatchObject({ pass: true, reason: 'passed' })
    }, 30_000)
  }

  it('refuses frames, tracing, the collector, ctypes, /proc/self/mem and another audit hook while the candidate runs', async () => {
    const probe = codeProblem('probe', '', { language: 'python', test: 'assert refused == allowed, (refused, allowed)\n' })
    const completion = lines(
      'import sys, gc, os',
      'def attempt(name, f):',
      '    try:',
      '        f()',
      '    except Exception:',
      '        refused.append(name)',
      'refused = []',
      "attempt('_getframe', lambda: sys._getframe())",
      "attempt('_current_frames', lambda: sys._current_frames())",
      "attempt('settrace', lambda: sys.settrace(lambda *a: None))",
      "attempt('setprofile', lambda: sys.setprofile(lambda *a: None))",
      "attempt('get_objects', lambda: gc.get_objects())",
      "attempt('get_referrers', lambda: gc.get_referrers(refused))",
      "attempt('ctypes', lambda: __import__('ctypes').string_at(id(refused), 8))",
      "attempt('mem', lambda: open('/proc/self/mem', 'rb'))",
      "attempt('mem by pid', lambda: os.open('/proc/%d/mem' % os.getpid(), os.O_RDONLY))",
      "attempt('link into /proc', lambda: os.symlink('/proc/self', 'me'))",
      'def gen():',
      '    yield 1',
      "attempt('gi_frame', lambda: gen().gi_frame)",
      'seen = []',
      'sys.addaudithook(lambda event, args: seen.append(event))  # refused silently, as Python documents',
      "if not seen: refused.append('addaudithook')",
      "allowed = ['_getframe', '_current_frames', 'settrace', 'setprofile', 'get_objects', 'get_referrers', 'ctypes', 'mem',",
      "           'mem by pid', 'link into /proc', 'gi_frame', 'addaudithook']",
    )
    const [v] = await verifier.score([{ problem: probe, completion }], { concurrency: 1 })
    expect(v, JSON.stringify(v)).toMatchObject({ pass: true })
  }, 30_000)

  it('legitimate code that touches frames indirectly still works: namedtuple, TypeVar, Enum, dataclass, logging, a signal handler, pickle, tracebacks', async () => {
    const ok = codeProblem('ok', '', { language: 'python', test: 'check()\n' })
    const completion = lines(
      'import collections, typing, enum, dataclasses, logging, pickle, signal, os, traceback, difflib',
      "Point = collections.namedtuple('Point', 'x y')",
      "T = typing.TypeVar('T')",
      "Color = enum.Enum('Color', 'RED GREEN')",
      '@dataclasses.dataclass',
      'class Pair:',
      '    a: int',
      '    b: int = 2',
      "logging.getLogger('x').warning('logged')",
      'got = []',
      'signal.signal(signal.SIGUSR1, lambda s, f: got.append((s, f)))',
      'os.kill(os.getpid(), signal.SIGUSR1)',
      'def check():',
      '    assert Point(1, 2).y == 2 and Color.GREEN.value == 2 and Pair(1).b == 2',
      '    assert got == [(signal.SIGUSR1, None)], got',
      '    assert pickle.loads(pickle.dumps(Pair(3, 4))) == Pair(3, 4)  # the candidate is __main__, as under python3',
      "    assert difflib.SequenceMatcher(None, 'abc', 'abd').ratio() > 0.5",
      "    assert 'ZeroDivisionError' in traceback.format_exception_only(ZeroDivisionError, ZeroDivisionError('x'))[0]",
    )
    const [v] = await verifier.score([{ problem: ok, completion }], { concurrency: 1 })
    expect(v, JSON.stringify(v)).toMatchObject({ pass: true })
  }, 30_000)

  it('a failed test shows the line of the tests that failed, which the candidate cannot read', async () => {
    const [v] = await verifier.score([{ problem: mbpp, completion: 'def triple(x):\n    return x\n' }], { concurrency: 1 })
    expect(v).toMatchObject({ pass: false, reason: 'assertion' })
    expect(v!.detail).toContain('assert triple(1) == 3')
  }, 30_000)
})
