import { appendFile, readFile, rm, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readRun } from '../../../core/run/run-record.js'
import { compareToMarkdown } from '../../../reports/compare-format.js'
import { compareRuns } from '../../../reports/compare.js'
import { tempDir } from '../../e2e/cli-helper.js'
import type { SyntheticRunSpec } from '../../helpers/synthetic-run.js'
import { writeSyntheticRun } from '../../helpers/synthetic-run.js'

const spec: SyntheticRunSpec = { prompts: 20, poolSize: 4, grid: [1, 2, 4], temperatures: [1], seeds: [0, 1], bootstrap: 10, withText: false, trainSteps: 0 }
const tmp = tempDir('bonbench-compare-journal-')

/** Where readRun found a run's journal cut: the torn last line it dropped, with the journal's path. */
async function journalCut(dir: string): Promise<{ journal: string; line: number } | undefined> {
  const torn = (await readRun(dir)).torn
  return torn && { journal: path.join(dir, 'journal.jsonl'), line: torn.line }
}
afterAll(() => tmp.cleanup())

/** A synthetic run on disk whose journal lost its last `bytes` bytes, as a run killed mid-write leaves it. */
async function cutRun(name: string, bytes: number): Promise<string> {
  const dir = await writeSyntheticRun(path.join(tmp.dir, name), { ...spec, seed: 11, runId: name })
  const journal = path.join(dir, 'journal.jsonl')
  const size = (await readFile(journal)).length
  await truncate(journal, size - bytes)
  return dir
}

describe('bench compare: a journal cut by a killed run', () => {
  it('finds the torn last line and its number; a whole journal, a missing one and trailing blank lines are not cut', async () => {
    const dir = await cutRun('cut', 200)
    const journal = path.join(dir, 'journal.jsonl')
    const lines = (await readFile(journal, 'utf8')).split('\n').length
    expect(await journalCut(dir)).toEqual({ journal, line: lines })
    await appendFile(journal, '\n\n')
    expect(await journalCut(dir)).toEqual({ journal, line: lines })
    const whole = await writeSyntheticRun(path.join(tmp.dir, 'whole'), { ...spec, seed: 11, runId: 'whole' }, '\n')
    expect(await journalCut(whole)).toBeUndefined()
    await rm(path.join(whole, 'journal.jsonl'))
    expect(await journalCut(whole)).toBeUndefined()
    await writeFile(path.join(whole, 'journal.jsonl'), '{"type":"cel')
    expect(await journalCut(whole)).toEqual({ journal: path.join(whole, 'journal.jsonl'), line: 1 })
  })

  it('a cut base run is named under the verdict with what it lacks, though readRun drops the line silently', async () => {
    const baseDir = await cutRun('base-cut', 200)
    const nextDir = await writeSyntheticRun(path.join(tmp.dir, 'next'), { ...spec, seed: 11, runId: 'next' })
    const [base, next] = await Promise.all([readRun(baseDir), readRun(nextDir)])
    expect(base.badLines).toEqual([]) // nothing in what readRun returns tells of the lost record
    const c = compareRuns(base, next, { resamples: 200 })
    const journal = path.join(baseDir, 'journal.jsonl')
    expect(c.cutJournals).toHaveLength(1)
    expect(c.cutJournals[0]).toMatchObject({ run: 'base', journal, lacks: ['math/tiny-transformer/sft/n1/t1 (seed 1)'] })
    expect(c.warnings[0]).toBe(c.cutJournals[0]!.message)
    expect(c.cutJournals[0]!.message).toContain(`the base run's journal ${journal} ends in a torn line`)
    expect(c.cutJournals[0]!.message).toContain('restore the base run')
    expect(c.missing).toEqual([])
    expect(c.exact.identical).toBe(false)
    const md = compareToMarkdown(c)
    expect(md.split('\n\n')[2]).toMatch(/^⚠️ \*\*Cut journal:\*\* the base run's journal .*journal\.jsonl ends in a torn line \(line \d+\)/)
    expect(md).toContain('2 of 3 cells bit-identical, 0 changed, 1 on other seeds')
    // Said once, under the verdict, not again among the notes.
    expect(md.split(c.cutJournals[0]!.message).length).toBe(2)
  })

  it('a cut new run is named with the resume command', async () => {
    const baseDir = await writeSyntheticRun(path.join(tmp.dir, 'base-whole'), { ...spec, seed: 11, runId: 'base-whole' })
    const nextDir = await cutRun('next-cut', 200)
    const c = compareRuns(await readRun(baseDir), await readRun(nextDir), { resamples: 200 })
    expect(c.cutJournals.map((x) => x.run)).toEqual(['new'])
    expect(c.cutJournals[0]!.message).toContain(`bench run --resume ${nextDir}`)
    expect(c.missing).toEqual(['math/tiny-transformer/sft/n1/t1 (seed 1)'])
    // What the missing list names (prompt ids, a failed cell's error) is the runs' text: escaped in Markdown.
    const hostile = { ...c, missing: ['p</script><script>window.pwned=1</script> | <b>bold</b>'] }
    const md = compareToMarkdown(hostile)
    expect(md).toContain('Incomplete')
    expect(md).not.toMatch(/<script>|<b>/)
    expect(md).toContain('&lt;script&gt;window.pwned=1&lt;/script&gt; \\| &lt;b&gt;bold&lt;/b&gt;')
  })
})
