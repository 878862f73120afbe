import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runDataOf } from '../../../core/run/run-record.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { promptDigests, type Provenance } from '../../../core/run/provenance.js'
import { toy } from '../../../plugins/tasks/toy/index.js'
import { compareToMarkdown } from '../../../reports/compare-format.js'
import { compareRuns } from '../../../reports/compare.js'
import type { SyntheticRunSpec } from '../../helpers/synthetic-run.js'
import { syntheticRun } from '../../helpers/synthetic-run.js'
import { onlyRunDir, tempProject, toyRunSetup } from '../../helpers/toy-run.js'

// bench compare pairs prompts by id. A task whose prompts changed under the same ids (another
// option, generator or data file) paired other texts as if they were the same prompts, and a real
// regression hid behind easier prompts (outside review of the nightly gate).
const spec: SyntheticRunSpec = {
  seed: 11,
  prompts: 12,
  poolSize: 4,
  grid: [1, 2],
  temperatures: [1],
  seeds: [0, 1, 2],
  bootstrap: 10,
  withText: false,
  trainSteps: 0,
}
const ids = Array.from({ length: 12 }, (_, i) => `math-${String(i).padStart(3, '0')}`)

/** A synthetic run whose run.json records these prompt digests. */
function runWithPrompts(runId: string, digests: Record<string, string> | undefined) {
  const { manifest, records } = syntheticRun({ ...spec, runId })
  const provenance: Provenance = { ...manifest.provenance, ...(digests ? { testPrompts: digests } : {}) }
  return runDataOf(`/synthetic/${runId}`, { ...manifest, provenance }, records)
}

const project = tempProject('bonbench-prompt-digests-')
afterAll(() => project.cleanup())

describe('bench compare: prompts are the same prompts only when their texts agree', () => {
  const texts = promptDigests(ids.map((id) => ({ id, prompt: `what is ${id}?` })))

  it('records each test prompt’s digest in run.json', async () => {
    await runMatrix(toyRunSetup(project.dir))
    const manifest = JSON.parse(readFileSync(path.join(onlyRunDir(project.dir), 'run.json'), 'utf8')) as { provenance: Provenance }
    const data = await toy().load({ seed: 0 })
    // The test split the run evaluates (toyRunSetup keeps its first prompts).
    const evaluated = Object.keys(manifest.provenance.testPrompts ?? {}).length
    expect(evaluated).toBeGreaterThan(0)
    expect(manifest.provenance.testPrompts).toEqual(promptDigests(data.test.slice(0, evaluated)))
    expect(Object.values(manifest.provenance.testPrompts!).every((d) => /^[0-9a-f]{16}$/.test(d))).toBe(true)
  })

  it('compares on the prompts whose texts agree; other texts under the same ids make the new run incomplete, named', () => {
    const base = runWithPrompts('base', texts)
    expect(compareRuns(base, runWithPrompts('same', texts)).verdict).toBe('pass')
    const edited = { ...texts, [ids[2]!]: '0123456789abcdef', [ids[5]!]: 'fedcba9876543210' }
    const c = compareRuns(base, runWithPrompts('edited', edited))
    expect(c.verdict).toBe('incomplete')
    expect(c.missing[0]).toMatch(/^math\/tiny-transformer\/base\/n1\/t1 \(2 of 12 prompts are other texts under the same ids: math-002, math-005\)$/)
    expect(c.cells.every((cell) => cell.prompts === 10)).toBe(true)
    expect(compareToMarkdown(c).split('\n\n')[1]).toMatch(/^❌ \*\*Incomplete: /)
    // Every text changed: nothing left to compare.
    const all = Object.fromEntries(ids.map((id) => [id, '0000000000000000']))
    expect(() => compareRuns(base, runWithPrompts('all-edited', all))).toThrow(/share no cell/)
  })

  it('pairs by id, as before, when either run predates the digests', () => {
    const base = runWithPrompts('base', texts)
    expect(compareRuns(base, runWithPrompts('old', undefined)).verdict).toBe('pass')
    expect(compareRuns(runWithPrompts('old', undefined), base).missing).toEqual([])
  })
})
