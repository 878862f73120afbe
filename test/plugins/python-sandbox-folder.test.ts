import { afterAll, describe, expect, it } from 'vitest'
import { pythonSandbox } from '../../plugins/verifiers/python-sandbox/index.js'
import { codeProblem } from './code-fixtures.js'

// A fork server keeps one working folder and reuses it when a candidate left it as made (see the
// plugin README). One server (poolSize 1), so each leftover below is in the very folder the next
// candidate gets: that candidate must still find a fresh one, empty but for its program.
const verifier = pythonSandbox({ poolSize: 1, timeoutMs: 3000 })
afterAll(async () => {
  await verifier.dispose!()
})

const script = codeProblem('script', '', { language: 'python', test: '' })
const FRESH = [
  'import os, stat',
  'here = os.getcwd()',
  "assert os.listdir('.') == ['candidate.py'], os.listdir('.')",
  "assert stat.S_IMODE(os.stat('.').st_mode) == 0o700, oct(os.stat('.').st_mode)",
  "assert os.listxattr('.') == [], os.listxattr('.')",
  "assert os.environ['HOME'] == os.environ['TMPDIR'] == here",
  'assert os.path.dirname(os.path.abspath(__file__)) == here',
  '',
].join('\n')

const leftovers: Array<{ name: string; code: string }> = [
  { name: 'a file', code: "open('left.txt', 'w').write('x')\n" },
  { name: 'a folder with a file in it', code: "import os\nos.mkdir('sub')\nopen('sub/f', 'w').write('x')\n" },
  { name: 'the folder chmod-ed', code: "import os\nos.chmod('.', 0o755)\n" },
  { name: 'the folder closed', code: "import os\nos.chmod('.', 0)\n" },
  { name: 'an extended attribute', code: "import os\ntry:\n    os.setxattr('.', 'user.left', b'x')\nexcept OSError:\n    pass\n" },
  { name: 'its program replaced by a link', code: "import os\nos.unlink('candidate.py')\nos.symlink('/etc/hostname', 'candidate.py')\n" },
  { name: 'its program replaced by a folder', code: "import os\nos.unlink('candidate.py')\nos.mkdir('candidate.py')\n" },
  { name: 'its program removed', code: "import os\nos.unlink('candidate.py')\n" },
]

describe('python-sandbox: every candidate gets a fresh, empty folder', () => {
  it('a candidate that leaves nothing: the next one finds its folder as made', async () => {
    const verdicts = await verifier.score(
      [
        { problem: script, completion: FRESH },
        { problem: script, completion: FRESH },
      ],
      { concurrency: 1 },
    )
    expect(verdicts.map((v) => v.reason)).toEqual(['passed', 'passed'])
  })

  for (const leftover of leftovers) {
    it(`after a candidate that leaves ${leftover.name}`, async () => {
      const [before, after] = await verifier.score(
        [
          { problem: script, completion: leftover.code },
          { problem: script, completion: FRESH },
        ],
        { concurrency: 1 },
      )
      expect(before!.pass, JSON.stringify(before)).toBe(true)
      expect(after, JSON.stringify(after)).toMatchObject({ pass: true, reason: 'passed' })
    })
  }
})
