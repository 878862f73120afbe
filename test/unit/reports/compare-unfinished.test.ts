import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { JournalRecord } from '../../../core/run/journal-types.js'
import { readRun, runDataOf } from '../../../core/run/run-record.js'
import { compareToJunit, compareToMarkdown, formatComparison } from '../../../reports/compare-format.js'
import { compareRuns } from '../../../reports/compare.js'
import { benchInProcess } from '../../e2e/cli-help.js'
import { tempDir } from '../../e2e/cli-helper.js'
import type { SyntheticRunSpec } from '../../helpers/synthetic-run.js'
import { syntheticRun, syntheticRunData, writeSyntheticRun } from '../../helpers/synthetic-run.js'

// One synthetic seed for both runs: a cell both runs hold is the same bit for bit, so nothing but
// what the new run lacks can move the verdict.
const spec: SyntheticRunSpec = {
  seed: 11,
  prompts: 20,
  poolSize: 4,
  grid: [1, 2, 4],
  temperatures: [1],
  seeds: [0, 1, 2],
  bootstrap: 10,
  withText: false,
  trainSteps: 0,
}
const sft = 'math/tiny-transformer/sft/n1/t1'
const oom = 'worker crashed: out of memory'
const tmp = tempDir('bonbench-compare-unfinished-')
afterAll(() => tmp.cleanup())

/** The journal's records with the cell record of `cellId` replaced: by the error record the harness writes when a cell fails, or by nothing. */
function unfinished(records: readonly JournalRecord[], cellId: string, message?: string): JournalRecord[] {
  return records.flatMap((r) => {
    if (r.type !== 'cell' || r.cellId !== cellId) return [r]
    return message === undefined ? [] : [{ type: 'error' as const, cellId, key: r.key, message }]
  })
}

/** A synthetic run in memory whose cell `cellId` failed with `message` (or, without one, never finished). */
function runWith(over: SyntheticRunSpec, cellId: string, message?: string) {
  const { manifest, records } = syntheticRun({ ...spec, ...over })
  return runDataOf(`/synthetic/${manifest.runId}`, manifest, unfinished(records, cellId, message))
}

const verdictOf = (markdown: string) => markdown.split('\n\n')[1]!

describe('bench compare: a new run that did not finish what the base run did', () => {
  const base = syntheticRunData({ ...spec, runId: 'base' })

  it('a failed cell is lost though the new run drew an extra seed: incomplete, named with its error, and --fail-on-regression exits 1', async () => {
    // As the review found it: the new run has a fourth seed, and its sft seed-1 cell crashed.
    const baseDir = await writeSyntheticRun(path.join(tmp.dir, 'base'), { ...spec, runId: 'base' })
    const nextDir = await writeSyntheticRun(path.join(tmp.dir, 'four-failed'), { ...spec, seeds: [0, 1, 2, 3], runId: 'four-failed' })
    const journal = path.join(nextDir, 'journal.jsonl')
    const records = (await readFile(journal, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalRecord)
    await writeFile(
      journal,
      unfinished(records, 'sft-n1-t1-s1', oom)
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    )

    const c = compareRuns(await readRun(baseDir), await readRun(nextDir), { resamples: 200 })
    expect(c.missing).toEqual([`${sft} (seed 1 failed: sft-n1-t1-s1 "${oom}")`])
    expect(c.failed).toEqual([{ cellId: 'sft-n1-t1-s1', groupId: sft, seed: 1, message: oom, inBase: true }])
    expect(c.regressed).toBe(false)
    // Its bits stay "other seeds" (the runs hold other seed sets); the loss is what fails it.
    expect(c.exact.cells.find((e) => e.groupId === sft)!.state).toBe('other-seeds')
    expect(verdictOf(compareToMarkdown(c))).toMatch(
      new RegExp(`^❌ \\*\\*Incomplete: the new run lacks 1 cell group\\(s\\) of the base run \\(${sft} \\(seed 1 failed: sft-n1-t1-s1 "${oom}"\\)\\)\\*\\*`),
    )

    const cli = await benchInProcess(['compare', baseDir, nextDir, '--fail-on-regression'], { cwd: tmp.dir })
    expect(cli.exitCode, cli.stderr).toBe(1)
    expect(cli.stdout).toContain(`seed 1 failed: sft-n1-t1-s1 "${oom}"`)
    // JUnit shows it too: the completeness testcase fails, naming what is lacking.
    const xml = compareToJunit(c)
    expect(xml).toMatch(
      /<testcase classname="completeness" name="the new run evaluates everything the base run did"><failure message="incomplete: lacks 1 cell group\(s\) of the base run">[^<]*seed 1 failed: sft-n1-t1-s1/,
    )
    expect(xml).toContain(`failures="${c.regressions.length + 1}"`)
  })

  it('with the same seeds, a failed cell is named as failed, not only as a missing seed; a long error is cut to its first line', () => {
    const c = compareRuns(base, runWith({ runId: 'same-seeds' }, 'sft-n1-t1-s1', oom))
    expect(c.missing).toEqual([`${sft} (seed 1 failed: sft-n1-t1-s1 "${oom}")`])
    const long = `${'x'.repeat(120)}\n    at runCell (core/run/run-cell.ts:37:9)`
    const cut = compareRuns(base, runWith({ runId: 'long' }, 'sft-n1-t1-s1', long))
    expect(cut.missing).toEqual([`${sft} (seed 1 failed: sft-n1-t1-s1 "${'x'.repeat(79)}…")`])
    expect(cut.failed[0]!.message).toBe(long)
  })

  it('a cell the new run planned and never finished (no record at all) is lost though it drew an extra seed', () => {
    const c = compareRuns(base, runWith({ seeds: [0, 1, 2, 3], runId: 'four-absent' }, 'sft-n1-t1-s1'))
    expect(c.missing).toEqual([`${sft} (seed 1)`])
    expect(c.failed).toEqual([])
    expect(verdictOf(compareToMarkdown(c))).toMatch(
      /^❌ \*\*Incomplete: the new run lacks 1 cell group\(s\) of the base run \(math\/tiny-transformer\/sft\/n1\/t1 \(seed 1\)\)\*\*/,
    )
  })

  it('failures come first among the losses, so the verdict (four groups) names them', () => {
    const shorter = syntheticRun({ ...spec, grid: [1, 2], runId: 'shorter' })
    const c = compareRuns(base, runDataOf('/synthetic/shorter', shorter.manifest, unfinished(shorter.records, 'sft-n1-t1-s2', oom)))
    expect(c.missing).toHaveLength(3)
    expect(c.missing[0]).toBe(`${sft} (seed 2 failed: sft-n1-t1-s2 "${oom}"; N=4)`)
    expect(c.missing.slice(1)).toEqual(['math/tiny-transformer/base/n1/t1 (N=4)', 'math/tiny-transformer/bon-rl/n4/t1 (N=4)'])
  })

  it('a run that drew only other seeds is still "other seeds", not incomplete', () => {
    const other = compareRuns(base, syntheticRunData({ ...spec, seeds: [3, 4, 5], runId: 'other-seeds' }))
    expect(other.missing).toEqual([])
    expect(other.exact.cells.map((e) => e.state)).toEqual(['other-seeds', 'other-seeds', 'other-seeds'])
    expect(other.warnings).toContain(`${sft}: the runs drew other seeds (base 0, 1, 2; new 3, 4, 5)`)
    expect(verdictOf(compareToMarkdown(other))).toMatch(/^✅ \*\*No significant regression\*\*/)
    // Overlapping seeds, one of the base run's not planned: another draw too.
    expect(compareRuns(base, syntheticRunData({ ...spec, seeds: [1, 2, 3], runId: 'shifted' })).missing).toEqual([])
  })

  it("the new run's own seeds it did not finish make it incomplete, whatever seeds the base run holds: judged on the survivors, a change that fails some seeds would pass (outside review)", () => {
    // A seed only the new run drew, failed: named with its error.
    const extraFailed = compareRuns(base, runWith({ seeds: [0, 1, 2, 3], runId: 'extra-failed' }, 'sft-n1-t1-s3', oom))
    expect(extraFailed.missing).toEqual([`${sft} (seed 3 failed: sft-n1-t1-s3 "${oom}")`])
    expect(extraFailed.failed).toEqual([{ cellId: 'sft-n1-t1-s3', groupId: sft, seed: 3, message: oom, inBase: false }])
    expect(verdictOf(compareToMarkdown(extraFailed))).toMatch(/^❌ \*\*Incomplete: /)
    // The JSON says so too, in one field a CI step can read (`regressed` alone said false).
    expect(JSON.parse(formatComparison(extraFailed, 'json'))).toMatchObject({ regressed: false, verdict: 'incomplete' })
    expect(compareRuns(base, syntheticRunData({ ...spec, runId: 'same' })).verdict).toBe('pass')
    // Other seeds altogether, one of them failed, or never journaled (a killed run).
    const otherFailed = compareRuns(base, runWith({ seeds: [3, 4, 5], runId: 'other-failed' }, 'sft-n1-t1-s4', oom))
    expect(otherFailed.missing).toEqual([`${sft} (seed 4 failed: sft-n1-t1-s4 "${oom}")`])
    const otherCut = compareRuns(base, runWith({ seeds: [3, 4, 5], runId: 'other-cut' }, 'sft-n1-t1-s5'))
    expect(otherCut.missing).toEqual([`${sft} (seed 5)`])
    // A failed cell of a group the base run has none of hides nothing of it: said, not failed.
    const noSft = syntheticRunData({ ...spec, runId: 'no-sft', strategies: [{ name: 'bon-rl', nTrain: 4, shift: 0.6 }] })
    expect(noSft.cells.some((c) => c.key.strategy === 'sft')).toBe(false)
    const vsNoSft = compareRuns(noSft, runWith({ runId: 'sft-failed' }, 'sft-n1-t1-s1', oom))
    expect(vsNoSft.missing).toEqual([])
    expect(vsNoSft.warnings).toContain(`new: sft-n1-t1-s1 failed ("${oom}"); the base run has no cell group like it, so the comparison lacks nothing`)
  })

  it('a new run that evaluated fewer prompts is incomplete, with the count and the first ids, and --fail-on-regression exits 1', async () => {
    const fewer = syntheticRunData({ ...spec, prompts: 8, runId: 'fewer-prompts' })
    const c = compareRuns(base, fewer)
    const lost = '12 of 20 prompts: math-008, math-009, math-010, …'
    expect(c.missing).toEqual([`math/tiny-transformer/base/n1/t1 (${lost})`, `math/tiny-transformer/bon-rl/n4/t1 (${lost})`, `${sft} (${lost})`])
    expect(c.warnings).toContain(`${sft}: 12 prompt(s) only in the base run; compared on the 8 shared`)
    expect(verdictOf(compareToMarkdown(c))).toMatch(
      /^❌ \*\*Incomplete: the new run lacks 3 cell group\(s\) of the base run \(math\/tiny-transformer\/base\/n1\/t1 \(12 of 20 prompts: /,
    )

    const baseDir = await writeSyntheticRun(path.join(tmp.dir, 'base-prompts'), { ...spec, runId: 'base-prompts' })
    const nextDir = await writeSyntheticRun(path.join(tmp.dir, 'fewer-prompts'), { ...spec, prompts: 8, runId: 'fewer-prompts' })
    const cli = await benchInProcess(['compare', baseDir, nextDir, '--fail-on-regression'], { cwd: tmp.dir })
    expect(cli.exitCode, cli.stderr).toBe(1)
    expect(cli.stdout).toContain(`${sft} (${lost})`)
  })

  it('a new run that evaluated more prompts loses nothing: a note, not a failure', () => {
    const c = compareRuns(syntheticRunData({ ...spec, prompts: 8, runId: 'fewer-prompts' }), base)
    expect(c.missing).toEqual([])
    expect(c.regressed).toBe(false)
    expect(c.warnings).toContain(`${sft}: 12 prompt(s) only in the new run; compared on the 8 shared`)
    expect(verdictOf(compareToMarkdown(c))).toMatch(/^✅ \*\*No significant regression\*\*/)
  })
})
