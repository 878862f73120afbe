import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { benchUsageError } from './cli-help.js'
import { bench, sharedData, tempDir } from './cli-helper.js'

const { dir, cleanup } = tempDir('bonbench-verify-')
afterAll(cleanup)

const humanevalX = path.join(sharedData, 'humaneval_js/humaneval_js.humaneval-x.jsonl.gz')
const multipleE = path.join(sharedData, 'humaneval_js/humaneval-js.multiple-e.jsonl')
const humanevalPy = path.join(sharedData, 'humaneval/HumanEval.jsonl.gz')

function readJsonl(file: string): Array<Record<string, unknown>> {
  const bytes = readFileSync(file)
  const text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

describe('bench verify', () => {
  it('humaneval-js --reference: 161 of 164 HumanEval-X reference solutions pass', async () => {
    const out = path.join(dir, 'x-ref.jsonl')
    const result = await bench(['verify', 'humaneval-js', '--data', humanevalX, '--reference', '--out', out, '--json'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(json).toMatchObject({ problems: 164, samples: 164, passAtK: { '1': 161 / 164 }, verdicts: { passed: 161, assertion: 2, runtime: 1 } })
    const [lo, hi] = json.ci.passAtK['1']
    expect(lo).toBeLessThan(161 / 164)
    expect(hi).toBeGreaterThanOrEqual(161 / 164)
    const failed = readJsonl(out)
      .filter((r) => !r.passed)
      .map((r) => r.task_id)
    expect(failed).toEqual(['JavaScript/112', 'JavaScript/155', 'JavaScript/162'])
  })

  it('humaneval (Python): 164 of 164 canonical solutions pass, from a gzipped samples file', async () => {
    const problems = readJsonl(humanevalPy)
    const samples = path.join(dir, 'py-canonical.jsonl.gz')
    writeFileSync(samples, gzipSync(problems.map((p) => JSON.stringify({ task_id: p.task_id, completion: p.canonical_solution })).join('\n')))
    const result = await bench(['verify', 'humaneval', '--data', humanevalPy, '--samples', samples, '--k', '1', '--json'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    const json = JSON.parse(result.stdout)
    expect(json).toMatchObject({ verifier: 'bonbench:python-sandbox', problems: 164, samples: 164, passAtK: { '1': 1 }, verdicts: { passed: 164 } })
    expect(readJsonl(`${samples}_results.jsonl`)).toHaveLength(164)
  }, 300_000)

  it('MultiPL-E samples: pass@k over several samples per problem, results beside the input, readable report', async () => {
    const ids = ['HumanEval_23_strlen', 'HumanEval_53_add']
    const good: Record<string, string> = { HumanEval_23_strlen: '  return string.length\n}\n', HumanEval_53_add: '  return x + y\n}\n' }
    const lines = ids.flatMap((id) =>
      [good[id]!, '  return 0\n}\n', '  while (true) {}\n}\n', '  return (\n'].map((completion) => JSON.stringify({ task_id: id, completion })),
    )
    const samples = path.join(dir, 'multiple-e.jsonl')
    writeFileSync(samples, `${lines.join('\n')}\n`)
    // The endless loops run to the sandbox's time limit: a short one (the default is 3 s) gives the
    // same verdicts for a sixth of their CPU.
    const config = path.join(dir, 'short-limit.config.json')
    writeFileSync(config, JSON.stringify({ plugins: [['js-sandbox', { timeoutMs: 500 }]] }))
    const json = await bench(
      ['verify', 'humaneval-js', '--data', multipleE, '--samples', samples, '--k', '1,2,10', '--json', '--concurrency', '2', '--config', config],
      { cwd: dir },
    )
    expect(json.exitCode, json.stderr).toBe(0)
    const parsed = JSON.parse(json.stdout)
    expect(parsed).toMatchObject({
      problems: 2,
      samples: 8,
      unattempted: 159,
      k: [1, 2],
      passAtK: { '1': 0.25, '2': 0.5 },
      verdicts: { passed: 2, assertion: 2, timeout: 2, syntax: 2 },
    })
    expect(parsed.notes.join(' ')).toContain('pass@10 skipped')
    const results = readJsonl(`${samples}_results.jsonl`)
    expect(results.map((r) => r.result)).toEqual(['passed', 'assertion', 'timeout', 'syntax', 'passed', 'assertion', 'timeout', 'syntax'])
    // The readable report, on the samples without the endless loops (each runs out the limit).
    const quick = path.join(dir, 'multiple-e-quick.jsonl')
    writeFileSync(quick, `${lines.filter((line) => !line.includes('while (true)')).join('\n')}\n`)
    const text = await bench(['verify', 'humaneval-js', '--data', multipleE, '--samples', quick, '--k', '1'], { cwd: dir })
    expect(text.stdout).toMatch(/pass@1 +33\.3% +95% CI \[/)
    expect(text.stdout).toContain('verdicts: ')
  }, 120_000)

  // Command lines that stop at a flag or data check: run in this process by the CLI's own runner.
  it('fails with exit 2 and a clear message on misuse', async () => {
    const noData = await benchUsageError(['verify', 'humaneval-js', '--reference'], dir)
    expect(noData.exitCode).toBe(2)
    expect(noData.stderr).toContain('--data')
    const both = await benchUsageError(['verify', 'humaneval-js', '--data', humanevalX], dir)
    expect(both.exitCode).toBe(2)
    expect(both.stderr).toContain('exactly one of --samples')
    const badSamples = path.join(dir, 'bad-samples.jsonl')
    writeFileSync(badSamples, '{"task_id": "JavaScript/0", "completion": "}"}\n{"task_id": "Nope/1", "completion": ""}\n')
    const unknown = await benchUsageError(['verify', 'humaneval-js', '--data', humanevalX, '--samples', badSamples], dir)
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toContain(`${badSamples}:2`)
    const noRef = await benchUsageError(['verify', 'humaneval-js', '--data', multipleE, '--reference'], dir)
    expect(noRef.exitCode).toBe(2)
    expect(noRef.stderr).toContain('no reference solutions')
  })
})
