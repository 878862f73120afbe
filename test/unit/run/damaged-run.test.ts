import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readManifest } from '../../../core/run/manifest.js'
import { readRun } from '../../../core/run/run-record.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { onlyRunDir, tempProject, toyRunSetup } from '../../helpers/toy-run.js'

// A run folder damaged after the fact — valid JSON of another shape in run.json, a folder where the
// journal should be, a bad line in the middle of the journal — is named as such (BENCH_RUN_INVALID,
// exit 2) by every reader, not a TypeError (exit 70) nor a resume that redoes work and then fails.
const project = tempProject('bonbench-damaged-')
afterAll(() => project.cleanup())
let runDir = ''
let manifest = ''
let journal = ''

beforeAll(async () => {
  const setup = toyRunSetup(project.dir, { config: { matrix: { strategies: ['sft', 'rl'] } } })
  await runMatrix(setup)
  runDir = onlyRunDir(project.dir)
  manifest = readFileSync(path.join(runDir, 'run.json'), 'utf8')
  journal = readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8')
})

/** A copy of the run with run.json and journal.jsonl replaced as given. */
function damaged(name: string, runJson: string, journalText: string | 'folder'): string {
  const dir = path.join(project.dir, 'damaged', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, 'run.json'), runJson)
  rmSync(path.join(dir, 'journal.jsonl'), { recursive: true, force: true })
  if (journalText === 'folder') mkdirSync(path.join(dir, 'journal.jsonl'))
  else writeFileSync(path.join(dir, 'journal.jsonl'), journalText)
  return dir
}

const invalid = (message: RegExp | string) => expect.objectContaining({ code: 'BENCH_RUN_INVALID', message: expect.stringMatching(message) })

describe('a damaged run folder', () => {
  it.each([
    ['no provenance', (m: Record<string, unknown>) => ({ ...m, provenance: undefined }), /run\.json is damaged: provenance is undefined, not an object/],
    ['cells not an array', (m: Record<string, unknown>) => ({ ...m, cells: 'x' }), /run\.json is damaged: cells is string, not an array/],
    [
      'a cell without a key',
      (m: Record<string, unknown>) => ({ ...m, cells: [{ cellId: 'a' }] }),
      /run\.json is damaged: cells\[0\] is not a \{ cellId, key \} object/,
    ],
    ['null', () => null, /run\.json is not a run record \(it holds null, not an object\)/],
    ['an array', () => [], /run\.json is not a run record \(it holds an array, not an object\)/],
  ])('run.json with %s: every reader names the file and what is wrong', async (name, change, message) => {
    const dir = damaged(name.replace(/\W+/g, '-'), JSON.stringify(change(JSON.parse(manifest) as Record<string, unknown>)), journal)
    expect(() => readManifest(dir)).toThrow(expect.objectContaining({ code: 'BENCH_RUN_INVALID' }))
    await expect(readRun(dir)).rejects.toEqual(invalid(message))
  })

  it('a folder in place of the journal: named, for a report and for a resume', async () => {
    const dir = damaged('journal-folder', manifest, 'folder')
    await expect(readRun(dir)).rejects.toEqual(invalid(/cannot read the run's journal .*journal\.jsonl \(a folder is in its place\)/))
    await expect(runMatrix({ ...toyRunSetup(project.dir, { config: { matrix: { strategies: ['sft', 'rl'] } } }), resumeDir: dir })).rejects.toEqual(
      invalid(/a folder is in its place/),
    )
  })

  it('a bad line in the middle of the journal: a resume refuses before any work, naming the line and both ways on', async () => {
    const lines = journal.trimEnd().split('\n')
    lines[2] = lines[2]!.slice(0, 30)
    const dir = damaged('bad-middle-line', manifest, `${lines.join('\n')}\n`)
    const before = readFileSync(path.join(dir, 'journal.jsonl'), 'utf8')
    const resumed = runMatrix({ ...toyRunSetup(project.dir, { config: { matrix: { strategies: ['sft', 'rl'] } } }), resumeDir: dir })
    await expect(resumed).rejects.toEqual(invalid(/cannot resume .*: its journal .* has 1 damaged line\(s\) before its end:\n {2}- line 3: not JSON/))
    await expect(resumed).rejects.toEqual(invalid(/bench report .* --skip-bad-lines\. To finish the run, delete the damaged line\(s\)/))
    expect(readFileSync(path.join(dir, 'journal.jsonl'), 'utf8')).toBe(before)
    // A torn last line alone (a killed run) still resumes: it is cut, not refused.
    const torn = damaged('torn-last-line', manifest, `${journal}{"type":"cell","cel`)
    await expect(runMatrix({ ...toyRunSetup(project.dir, { config: { matrix: { strategies: ['sft', 'rl'] } } }), resumeDir: torn })).resolves.toBeDefined()
  })
})
