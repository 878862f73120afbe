import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { benchInProcess } from '../../e2e/cli-help.js'
import { sharedData, tempDir } from '../../e2e/cli-helper.js'

// `bench verify --out`: a results file that cannot be written is refused before any candidate
// runs, and one that fails at the end (its folder removed meanwhile) keeps the verdicts in the
// temp folder. The real CLI in this process, the real humaneval task and the command verifier
// (python3, a process per candidate): the candidates' own side effects show whether they ran.
const { dir, cleanup } = tempDir('bonbench-verify-out-')
afterAll(cleanup)

const humaneval = gunzipSync(readFileSync(path.join(sharedData, 'humaneval/HumanEval.jsonl.gz')))
  .toString('utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { task_id: string })
// The temp folder of the command (TMPDIR): the command verifier's candidates and the fallback go there.
const tmp = path.join(dir, 'tmp')
mkdirSync(tmp)
const data = path.join(dir, 'he.jsonl')
// HumanEval/2: truncate_number(number) -> the decimal part.
writeFileSync(data, `${JSON.stringify(humaneval.find((p) => p.task_id === 'HumanEval/2'))}\n`)

/** A samples file of HumanEval/2 completions, each first running `sideEffect` (Python) and then answering right. */
function samplesFile(name: string, sideEffects: string[]): string {
  const file = path.join(dir, name)
  const lines = sideEffects.map((effect) => JSON.stringify({ task_id: 'HumanEval/2', completion: `    ${effect}\n    return number % 1.0\n` }))
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

const verify = (samples: string, out: string, ...more: string[]) =>
  benchInProcess(
    ['verify', 'humaneval', '--data', data, '--samples', samples, '--out', out, '--verifier', 'command', '--concurrency', '1', '--k', '1', ...more],
    {
      cwd: dir,
      env: { TMPDIR: tmp },
    },
  )

describe('bench verify --out', () => {
  const marker = path.join(dir, 'candidate-ran')
  const marking = samplesFile('marking.jsonl', [`open(${JSON.stringify(marker)}, 'w').write('ran')`])

  it('refuses an --out in a folder that does not exist before any candidate runs (exit 2, naming the path)', async () => {
    const out = path.join(dir, 'missing', 'out.jsonl')
    const result = await verify(marking, out)
    expect(existsSync(marker), 'the candidate ran').toBe(false)
    expect(result.exitCode, result.stderr).toBe(2)
    expect(result.stderr).toContain(`cannot write the results file ${out}: the folder ${path.join(dir, 'missing')} does not exist`)
    expect(result.stderr).toContain('pass --out <file> in an existing folder; nothing was verified')
    expect(result.stdout).toBe('')
  })

  it('refuses an --out that is a folder before any candidate runs', async () => {
    const folder = path.join(dir, 'a-folder')
    mkdirSync(folder)
    const result = await verify(marking, folder)
    expect(existsSync(marker), 'the candidate ran').toBe(false)
    expect(result.exitCode, result.stderr).toBe(2)
    expect(result.stderr).toContain(
      `cannot write the results file ${folder}: it is a folder. Pass --out <file> naming a file, such as ${path.join(folder, 'results.jsonl')}; nothing was verified`,
    )
    expect(readdirSync(folder)).toEqual([])
    // The same command with a file there runs the candidate: the marker shows it would have.
    const ok = await verify(marking, path.join(folder, 'results.jsonl'))
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(readFileSync(marker, 'utf8')).toBe('ran')
    expect(readdirSync(folder)).toEqual(['results.jsonl'])
  })

  it('keeps the verdicts when the results file cannot be written at the end: pass@k printed, results in the temp folder, exit 2', async () => {
    const outs = path.join(dir, 'outs')
    mkdirSync(outs)
    const out = path.join(outs, 'r.jsonl')
    // The first candidate removes the results folder after the up-front check passed (the test calls it more than once).
    const removing = samplesFile('removing.jsonl', [`import shutil; shutil.rmtree(${JSON.stringify(outs)}, ignore_errors=True)`, 'pass'])
    const result = await verify(removing, out, '--json')
    expect(result.exitCode, result.stderr).toBe(2)
    expect(existsSync(outs)).toBe(false)
    const summary = JSON.parse(result.stdout) as { passAtK: Record<string, number>; samples: number; resultsFile: string; notes: string[] }
    expect(summary).toMatchObject({ samples: 2, passAtK: { '1': 1 } })
    const fallback = summary.resultsFile
    expect(path.dirname(path.dirname(fallback))).toBe(tmp)
    expect(path.basename(fallback)).toBe('r.jsonl')
    expect(result.stderr).toContain(`cannot write the results file ${out} (ENOENT`)
    expect(result.stderr).toContain(`the 2 results are saved in ${fallback} instead, and pass@k above counts them all`)
    expect(summary.notes.join(' ')).toContain(`the per-sample results are in ${fallback} instead`)
    const lines = readFileSync(fallback, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.map((l) => [l.task_id, l.passed, l.result])).toEqual([
      ['HumanEval/2', true, 'passed'],
      ['HumanEval/2', true, 'passed'],
    ])
  }, 120_000)
})
