import { cpSync, existsSync } from 'node:fs'
import { mkdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BenchmarkFile } from '../../core/benchmark-format.js'
import type { SyntheticRunSpec } from '../helpers/synthetic-run.js'
import { writeSyntheticRun } from '../helpers/synthetic-run.js'
import { benchInProcess } from './cli-help.js'
import { tempDir } from './cli-helper.js'

const spec: SyntheticRunSpec = { prompts: 30, poolSize: 8, grid: [1, 2, 4, 8], temperatures: [1], seeds: [0, 1], bootstrap: 20, trainSteps: 4 }
const tmp = tempDir('bonbench-cli-reports-')
const dirs = { base: path.join(tmp.dir, 'last-good'), noise: path.join(tmp.dir, 'noise'), regressed: path.join(tmp.dir, 'regressed') }

function benchFile(value: number, createdAt = '2026-11-25T00:00:00Z'): BenchmarkFile {
  return {
    format: 'bonbench-benchmark',
    version: 1,
    suite: 'metrics',
    createdAt,
    machine: { cpus: 2, cpuModel: 'Test CPU', node: 'v20', os: 'linux', arch: 'x64' },
    records: [{ case: 'pass@k n=1024', metric: 'latency-mean', value, unit: 'ms', higherIsBetter: false, rme: 1 }],
  }
}

beforeAll(async () => {
  await writeSyntheticRun(dirs.base, { ...spec, seed: 21, runId: 'last-good' })
  await writeSyntheticRun(dirs.noise, { ...spec, seed: 22, runId: 'noise' })
  await writeSyntheticRun(dirs.regressed, { ...spec, seed: 23, runId: 'regressed', cellShift: (k) => (k.strategy === 'sft' ? -1.5 : 0) })
  for (const [dir, value] of [
    [dirs.base, 1],
    [dirs.noise, 1.02],
    [dirs.regressed, 1],
  ] as const) {
    await mkdir(path.join(dir, 'benchmarks'))
    await writeFile(path.join(dir, 'benchmarks', 'metrics.json'), JSON.stringify(benchFile(value)))
  }
})
afterAll(() => tmp.cleanup())

describe('bench report', () => {
  it('regenerates all three reports from the journal alone, or only the format asked for', async () => {
    const all = await benchInProcess(['report', dirs.base, '--resamples', '200'], { cwd: tmp.dir })
    expect(all.exitCode, all.stderr as string).toBe(0)
    for (const f of ['results.json', 'report.md', 'report.html']) expect(existsSync(path.join(dirs.base, f)), f).toBe(true)
    expect(all.stdout).toContain('6 of 6 cells finished in last-good')
    const results = JSON.parse(await readFile(path.join(dirs.base, 'results.json'), 'utf8'))
    expect(results.version).toBe(3)
    expect(results.settings.bootstrap).toBe(200)

    await rm(path.join(dirs.base, 'report.md'))
    await rm(path.join(dirs.base, 'report.html'))
    const md = await benchInProcess(['report', dirs.base, '--format', 'md', '--resamples', '50'], { cwd: tmp.dir })
    expect(md.exitCode).toBe(0)
    expect(existsSync(path.join(dirs.base, 'report.md'))).toBe(true)
    expect(existsSync(path.join(dirs.base, 'report.html'))).toBe(false)
  })

  it('never replaces reports with fewer cells: an emptied journal is refused, a cut one needs --force, a torn last line is named', async () => {
    const copy = path.join(tmp.dir, 'cut')
    cpSync(dirs.noise, copy, { recursive: true })
    const full = await benchInProcess(['report', copy, '--format', 'json', '--resamples', '20'], { cwd: tmp.dir })
    expect(full.exitCode, full.stderr).toBe(0)
    const results = path.join(copy, 'results.json')
    const before = await readFile(results, 'utf8')
    const journal = path.join(copy, 'journal.jsonl')
    const lines = (await readFile(journal, 'utf8')).trimEnd().split('\n')

    await writeFile(journal, '')
    const emptied = await benchInProcess(['report', copy, '--resamples', '20'], { cwd: tmp.dir })
    expect(emptied.exitCode).toBe(2)
    expect(emptied.stderr).toContain(`${journal} is missing or empty: there is nothing to report, and the reports in ${copy} are left as they are`)
    expect(await readFile(results, 'utf8')).toBe(before)

    // The journal without its last cell record, then cut mid-record: one finished cell fewer than results.json holds.
    const lastCell = lines.map((l) => (JSON.parse(l) as { type: string }).type).lastIndexOf('cell')
    const kept = lines.filter((_, i) => i !== lastCell)
    await writeFile(journal, `${kept.join('\n')}\n${lines[lastCell]!.slice(0, 40)}`)
    const cut = await benchInProcess(['report', copy, '--resamples', '20'], { cwd: tmp.dir })
    expect(cut.exitCode).toBe(2)
    expect(cut.stderr).toMatch(
      /results\.json holds 6 finished cell\(s\) but .*journal\.jsonl yields 5: rebuilding would replace them, so the reports are left as they are\. .*--force/,
    )
    expect(await readFile(results, 'utf8')).toBe(before)
    const forced = await benchInProcess(['report', copy, '--resamples', '20', '--force'], { cwd: tmp.dir })
    expect(forced.exitCode, forced.stderr).toBe(0)
    expect(forced.stderr).toMatch(new RegExp(`journal\\.jsonl ends in a torn line \\(line ${kept.length + 1}\\): its last record was cut`))
    expect(forced.stdout).toContain('5 of 6 cells finished in noise')
  })

  it('exits 2 with advice for a folder that is not a run', async () => {
    const missing = await benchInProcess(['report', tmp.dir], { cwd: tmp.dir })
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/^bench: .*not a run directory/)
  })
})

describe('bench compare', () => {
  it('exits 0 with --fail-on-regression when the runs differ only by seed', async () => {
    const result = await benchInProcess(['compare', dirs.base, dirs.noise, '--fail-on-regression'], { cwd: tmp.dir })
    expect(result.exitCode, result.stderr as string).toBe(0)
    expect(result.stdout).toContain('✅ **No significant regression**')
    expect(result.stdout).toContain('Benchmarks: 1 numbers')
  })

  it('exits 1 on a planted regression, naming the cell; JUnit and JSON say the same', async () => {
    const junitFile = path.join(tmp.dir, 'compare.xml')
    const result = await benchInProcess(['compare', dirs.base, dirs.regressed, '--fail-on-regression', '--format', 'junit', '--out', junitFile], {
      cwd: tmp.dir,
    })
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toMatch(/<failure message="regressed by \d+\.\d points">/)
    expect(result.stdout).toContain('classname="math/tiny-transformer/sft/n1/t1"')
    expect((await readFile(junitFile, 'utf8')).trimEnd()).toBe(result.stdout.trimEnd())
    const json = await benchInProcess(['compare', dirs.base, dirs.regressed, '--format', 'json'], { cwd: tmp.dir })
    expect(json.exitCode).toBe(0) // no --fail-on-regression: report only
    const parsed = JSON.parse(json.stdout as string)
    expect(parsed.regressed).toBe(true)
    expect(new Set(parsed.regressions.map((r: { groupId: string }) => r.groupId))).toEqual(new Set(['math/tiny-transformer/sft/n1/t1']))
  })

  it('exits 1 when the new run lacks cells of the base run (an unfinished night), and 2 when the runs share no cell', async () => {
    const partial = path.join(tmp.dir, 'partial')
    await writeSyntheticRun(partial, { ...spec, seed: 22, runId: 'partial', strategies: [{ name: 'sft', nTrain: 1, shift: -0.3 }] })
    const incomplete = await benchInProcess(['compare', dirs.base, partial, '--fail-on-regression'], { cwd: tmp.dir })
    expect(incomplete.exitCode, incomplete.stderr).toBe(1)
    expect(incomplete.stdout).toContain('❌ **Incomplete: the new run lacks 1 cell group(s) of the base run (math/tiny-transformer/bon-rl/n4/t1 (no cell))**')
    const other = path.join(tmp.dir, 'other-temperature')
    await writeSyntheticRun(other, { ...spec, seed: 22, runId: 'other', temperatures: [1.4] })
    const unrelated = await benchInProcess(['compare', dirs.base, other, '--fail-on-regression'], { cwd: tmp.dir })
    expect(unrelated.exitCode).toBe(2)
    expect(unrelated.stderr).toContain('bench: the runs share no cell to compare (the base run has 3 cell group(s), the new run 3')
  })

  it('a base run whose journal was cut by a kill is named on stderr and under the verdict; the runs are compared on what is left', async () => {
    const cut = path.join(tmp.dir, 'cut-base')
    await writeSyntheticRun(cut, { ...spec, seed: 21, runId: 'cut-base' })
    const journal = path.join(cut, 'journal.jsonl')
    await truncate(journal, (await stat(journal)).size - 200)
    const copy = path.join(tmp.dir, 'rerun-of-base')
    await writeSyntheticRun(copy, { ...spec, seed: 21, runId: 'rerun-of-base' })
    const result = await benchInProcess(['compare', cut, copy, '--fail-on-regression'], { cwd: tmp.dir })
    // The new run lost nothing: the baseline's damage is said, not failed (a failed night would keep the cut baseline).
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stderr).toMatch(/^bench: warning: the base run's journal .* ends in a torn line \(line \d+\): its last record was cut/m)
    expect(result.stderr).toContain(`the base run's journal ${journal} ends`)
    expect(result.stdout).toContain('⚠️ **Cut journal:**')
    expect(result.stdout).toContain('math/tiny-transformer/sft/n1/t1 (seed 1)')
    expect(result.stdout).not.toContain('cells are bit-identical')
    expect(result.stdout).toContain('2 of 3 cells bit-identical, 0 changed, 1 on other seeds')
    const json = JSON.parse((await benchInProcess(['compare', cut, copy, '--format', 'json'], { cwd: tmp.dir })).stdout)
    expect(json.cutJournals).toMatchObject([{ run: 'base', journal, lacks: ['math/tiny-transformer/sft/n1/t1 (seed 1)'] }])
    expect(json.exact.identical).toBe(false)
  })

  it('a base run with no finished cell exits 2 naming its folder and journal, with the fix for a base run', async () => {
    const empty = path.join(tmp.dir, 'no-journal')
    await writeSyntheticRun(empty, { ...spec, seed: 21, runId: 'no-journal' })
    await rm(path.join(empty, 'journal.jsonl'))
    const result = await benchInProcess(['compare', empty, dirs.noise, '--fail-on-regression'], { cwd: tmp.dir })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(
      `bench: the base run ${empty} has no finished cell (${path.join(empty, 'journal.jsonl')} is missing or empty): restore the base run's journal.jsonl`,
    )
    expect(result.stderr).not.toContain('--resume')
    await writeFile(path.join(empty, 'journal.jsonl'), '')
    const reversed = await benchInProcess(['compare', dirs.noise, empty], { cwd: tmp.dir })
    expect(reversed.exitCode).toBe(2)
    expect(reversed.stderr).toContain(
      `bench: the new run ${empty} has no finished cell (${path.join(empty, 'journal.jsonl')} is missing or empty): check that it finished (bench run --resume ${empty})`,
    )
  })

  it('exits 1 on a benchmark regression given with --bench-base/--bench-new under --bench-strict (one night alone is not judged otherwise), and 2 for a bad flag', async () => {
    const slow = path.join(tmp.dir, 'slow.json')
    await writeFile(slow, JSON.stringify(benchFile(1.5)))
    const result = await benchInProcess(
      [
        'compare',
        dirs.base,
        dirs.noise,
        '--bench-base',
        path.join(dirs.base, 'benchmarks'),
        '--bench-new',
        slow,
        '--bench-threshold',
        '10',
        '--fail-on-regression',
        '--bench-strict',
      ],
      { cwd: tmp.dir },
    )
    expect(result.exitCode).toBe(1)
    expect(result.stdout).toContain('### Benchmark regressions')
    const bad = await benchInProcess(['compare', dirs.base, dirs.noise, '--format', 'html'], { cwd: tmp.dir })
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain("--format: unknown value 'html'; use one of md, json, junit")
  })

  it('--bench-history shows each number over earlier nights and judges it by their band; a missing history or no benchmarks are named', async () => {
    const history = path.join(tmp.dir, 'bench-history')
    for (const [day, value] of [
      [20, 1.0],
      [21, 1.01],
      [22, 0.99],
    ] as const) {
      await mkdir(path.join(history, `2026-11-${day}`), { recursive: true })
      await writeFile(path.join(history, `2026-11-${day}`, 'metrics.json'), JSON.stringify(benchFile(value, `2026-11-${day}T00:00:00Z`)))
    }
    // The three nights and the base run (1 ms) draw a band of ±2.2%, so the 10% threshold bounds it: 15% slower regresses.
    const slower = path.join(tmp.dir, 'slower.json')
    await writeFile(slower, JSON.stringify(benchFile(1.15, '2026-11-26T00:00:00Z')))
    const args = ['compare', dirs.base, dirs.noise, '--bench-base', path.join(dirs.base, 'benchmarks'), '--bench-new', slower]
    const judged = await benchInProcess([...args, '--bench-history', history, '--fail-on-regression'], { cwd: tmp.dir })
    expect(judged.exitCode, judged.stderr).toBe(1)
    expect(judged.stdout).toContain('### Benchmarks over time')
    expect(judged.stdout).toContain('From 3 earlier benchmark files')
    expect(judged.stdout).toMatch(
      /\| metrics \| pass@k n=1024 \| latency-mean \| 1\.000 ms \| 1\.150 ms \| −15\.0% vs median \| ±10\.0% \(history\) \| regression \|/,
    )
    const missing = await benchInProcess([...args, '--bench-history', path.join(tmp.dir, 'no-history')], { cwd: tmp.dir })
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/^bench: benchmark history not found at .*no-history; pass a folder/)
    const plain = path.join(tmp.dir, 'no-benchmarks')
    await writeSyntheticRun(plain, { ...spec, seed: 24, runId: 'no-benchmarks' })
    const without = await benchInProcess(['compare', dirs.base, plain, '--bench-history', history], { cwd: tmp.dir })
    expect(without.exitCode).toBe(2)
    expect(without.stderr).toContain('--bench-history needs benchmark results on both sides')
  })
})
