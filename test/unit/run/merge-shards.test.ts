import { cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { basename, join, sep } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { UserConfig } from '../../../core/config/types.js'
import { isBenchError } from '../../../core/errors.js'
import { mergeRuns } from '../../../core/run/merge-runs.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { readManifest } from '../../../core/run/manifest.js'
import { expectSameJournal } from '../../helpers/compare-journals.js'
import { journalOf, tempProject, toyRunSetup } from '../../helpers/toy-run.js'
import { benchInProcess } from '../../e2e/cli-help.js'

// `bench merge` of shards as they arrive from other machines: a run folder copied to another path
// (its journal still names the path it ran at), one copied without its checkpoints, and one whose
// shard was stopped before its last cell. Real tabular runs on toy, three shards of six cells.

const config: UserConfig = { matrix: { strategies: ['rl', 'bon-rlb'], nTrain: [2], nGrid: [1, 2], seeds: [1, 2] }, train: { steps: 2 } }
const project = tempProject('bonbench-merge-shards-')
afterAll(() => project.cleanup())
const setup = toyRunSetup(project.dir, { config })

let whole: string
const shards: string[] = []
beforeAll(async () => {
  whole = (await runMatrix(setup)).runDir
  for (const index of [1, 2, 3]) shards.push((await runMatrix({ ...setup, shard: { index, count: 3 } })).runDir)
}, 120_000)

const checkpointRecords = (runDir: string) => journalOf(runDir).flatMap((r) => (r.type === 'checkpoint' ? [r] : []))

/** Runs `body` while the folder at `dir` is gone (renamed aside), as on a machine that never had it. */
function without<T>(dir: string, body: () => T): T {
  renameSync(dir, `${dir}-hidden`)
  try {
    return body()
  } finally {
    renameSync(`${dir}-hidden`, dir)
  }
}

/** A copy of a shard's run folder under `<project>/<where>/`, as one copied from another machine. */
function copyOf(shard: string, where: string, filter?: (path: string) => boolean): string {
  const copy = join(project.dir, where, basename(shard))
  cpSync(shard, copy, { recursive: true, ...(filter ? { filter } : {}) })
  return copy
}

describe('bench merge of shards copied from other machines', () => {
  it('finds the checkpoints of a shard folder copied elsewhere (its recorded paths gone) and journals the unsharded run', () => {
    const third = checkpointRecords(shards[2]!)
    expect(third.length, 'shard 3 trains a cell with a checkpoint').toBeGreaterThan(0)
    const copy = copyOf(shards[2]!, 'from-b')
    const out = join(project.dir, 'merged-copy')
    const merged = without(shards[2]!, () => mergeRuns([shards[0]!, shards[1]!, copy], { outDir: out, runId: 'merged-copy' }))

    expect(merged.unfinished).toEqual([])
    const records = checkpointRecords(out)
    expect(records.map((r) => r.cellId).sort()).toEqual(
      checkpointRecords(whole)
        .map((r) => r.cellId)
        .sort(),
    )
    for (const record of records) {
      expect(record.dir).toBe(join(out, 'checkpoints', record.cellId))
      expect(readdirSync(record.dir), record.dir).toEqual(readdirSync(join(whole, 'checkpoints', record.cellId)))
    }
    expect(readdirSync(join(out, 'checkpoints')).sort()).toEqual(readdirSync(join(whole, 'checkpoints')).sort())
    expectSameJournal(join(whole, 'journal.jsonl'), join(out, 'journal.jsonl'))
    // run.json names the merge as the command that made the folder, and each shard's folder and command line.
    const manifest = readManifest(out)
    expect(manifest.provenance.argv).toEqual(['merge', shards[0], shards[1], copy, '--out', out])
    expect(manifest.mergedFrom?.map((m) => [m.shard, m.runDir])).toEqual([
      ['1/3', shards[0]],
      ['2/3', shards[1]],
      ['3/3', copy],
    ])
    expect(manifest.mergedFrom?.[2]?.argv).toEqual(readManifest(copy).provenance.argv)
  })

  it('warns that it cannot check the code of shards run from working trees with uncommitted changes', () => {
    const dirty = shards.map((shard, i) => {
      const copy = copyOf(shard!, `dirty-${i}`)
      const file = join(copy, 'run.json')
      const manifest = JSON.parse(readFileSync(file, 'utf8'))
      manifest.provenance.harness.git = { commit: 'a'.repeat(40), dirty: true }
      writeFileSync(file, JSON.stringify(manifest))
      return copy
    })
    const merged = mergeRuns(dirty, { outDir: join(project.dir, 'merged-dirty'), runId: 'merged-dirty' })
    expect(merged.warnings).toContain(
      'shards 1/3, 2/3, 3/3 ran bonbench from a working tree with uncommitted changes: merge cannot check that every shard ran the same code (run shards from a clean commit)',
    )
  })

  it('refuses a shard copied without its checkpoints, naming the cell and both places, and writes nothing', () => {
    const copy = copyOf(shards[2]!, 'no-checkpoints', (path) => !path.includes(`${sep}checkpoints`))
    const cell = checkpointRecords(shards[2]!)[0]!.cellId
    const out = join(project.dir, 'merged-refused')
    let error: unknown
    without(shards[2]!, () => {
      try {
        mergeRuns([shards[0]!, shards[1]!, copy], { outDir: out, runId: 'merged-refused' })
      } catch (thrown) {
        error = thrown
      }
    })
    expect(isBenchError(error) && error.code).toBe('BENCH_MERGE_MISMATCH')
    const message = (error as Error).message
    expect(message).toContain(`shard 3/3 (${copy})`)
    expect(message).toContain(cell)
    expect(message).toContain(join(shards[2]!, 'checkpoints', cell))
    expect(message).toContain(join(copy, 'checkpoints', cell))
    expect(message).toContain("copy the shard's whole run folder, checkpoints/ included")
    expect(existsSync(out)).toBe(false)
  })
})

describe('bench merge of a shard that did not finish', () => {
  let stopped: string
  let last: string
  beforeAll(async () => {
    const controller = new AbortController()
    const outcome = await runMatrix({
      ...setup,
      shard: { index: 3, count: 3 },
      signal: controller.signal,
      listeners: [(e) => e.type === 'cell:end' && controller.abort()],
    })
    expect(outcome.interrupted).toBe(true)
    stopped = outcome.runDir
    const planned = journalOf(shards[2]!).flatMap((r) => (r.type === 'cell' ? [r.cellId] : []))
    expect(planned.length).toBeGreaterThan(1)
    last = planned.at(-1)!
  }, 60_000)

  it('merges it, reports the unfinished cell with its shard, and the merged run resumes to the unsharded journal', async () => {
    const out = join(project.dir, 'merged-stopped')
    const merged = mergeRuns([shards[0]!, shards[1]!, stopped], { outDir: out, runId: 'merged-stopped' })
    expect(merged.cells).toBe(6)
    expect(merged.finished).toBeLessThan(6)
    expect(merged.unfinished).toContainEqual({ cellId: last, state: 'unfinished', shard: { index: 3, count: 3, runDir: stopped } })
    expect(merged.finished + merged.unfinished.length).toBe(6)

    const resumed = await runMatrix({ ...setup, resumeDir: out })
    expect(resumed.interrupted).toBe(false)
    expectSameJournal(join(whole, 'journal.jsonl'), join(out, 'journal.jsonl'))
  }, 60_000)

  it('bench merge names the unfinished cell and the resume command on stderr and exits 4', async () => {
    const result = await benchInProcess(['merge', shards[0]!, shards[1]!, stopped, '--out', 'merged-cli', '--no-reports'], { cwd: project.dir })
    expect(result.exitCode, result.stderr).toBe(4)
    expect(result.stdout).toMatch(new RegExp(`merged 3 shards: \\d of 6 cells finished \\(\\d unfinished: [^)]*${last} of shard 3/3\\)`))
    expect(result.stderr).toContain(`${last} (shard 3/3, ${stopped}): unfinished`)
    expect(result.stderr).toContain(`bench run --resume ${stopped}`)
    expect(result.stderr).toContain(`bench run --resume ${join(project.dir, 'merged-cli')}`)
  }, 60_000)
})

describe('bench merge of shards of other splits, and of more shards than cells', () => {
  it('names shard 1/2 and shard 1/3 as shards of different runs (their shard counts), not as one shard given twice', async () => {
    const half = (await runMatrix({ ...setup, shard: { index: 1, count: 2 } })).runDir
    const out = join(project.dir, 'merged-splits')
    for (const dirs of [
      [half, shards[0]!],
      [shards[0]!, half],
    ]) {
      let error: unknown
      try {
        mergeRuns(dirs, { outDir: out, runId: 'merged-splits' })
      } catch (e) {
        error = e
      }
      expect(isBenchError(error) && error.code).toBe('BENCH_MERGE_MISMATCH')
      expect((error as Error).message).toMatch(/is not a shard of the same run as .*: their .*shard.* differ/)
      expect((error as Error).message).not.toMatch(/given twice/)
    }
    expect(existsSync(out)).toBe(false)
  })

  it('warns of no backend difference for a shard that planned no cell (seven shards of six cells)', async () => {
    const seven: string[] = []
    for (let index = 1; index <= 7; index++) seven.push((await runMatrix({ ...setup, shard: { index, count: 7 } })).runDir)
    expect(readManifest(seven[6]!).cells).toEqual([])
    const merged = mergeRuns(seven, { outDir: join(project.dir, 'merged-seven'), runId: 'merged-seven' })
    expect(merged.warnings.filter((w) => w.includes('different backends'))).toEqual([])
    expect(merged.unfinished).toEqual([])
  }, 60_000)
})
