import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { changedSinceTheRun, poolSizeForGrid, type RunCellTarget } from '../../../cli/eval-target.js'
import { builtins } from '../../../cli/builtins.js'
import { setupRun } from '../../../core/run/setup.js'
import { harnessPackage, pluginRecords } from '../../../core/run/provenance.js'
import { resolveRunPlugins } from '../../../core/run/run-plugins.js'
import type { CellKey } from '../../../core/plugin-api/results.js'
import type { RunManifest } from '../../../core/run/journal-types.js'
import { tempDir } from '../../e2e/cli-helper.js'

const project = tempDir('bonbench-eval-run-cell-')
afterAll(() => project.cleanup())

const gsm8k = (answers: number[]): string =>
  answers.map((a, i) => JSON.stringify({ question: `What is ${i} + ${a - i}?`, answer: `${i} + ${a - i} = ${a}\n#### ${a}` })).join('\n') + '\n'

/** A run's cell as resolveEvalTarget returns it, with only what changedSinceTheRun reads of run.json. */
function cellOfRun(provenance: Pick<RunManifest['provenance'], 'harness' | 'plugins' | 'dataFiles'>, names: Partial<CellKey> = {}): RunCellTarget {
  const key: CellKey = { task: 'gsm8k', model: 'tiny-transformer', strategy: 'sft', nTrain: 1, temperature: 1, seed: 0, ...names }
  const manifest = { runId: 'r', cells: [], provenance } as unknown as RunManifest
  return { kind: 'run-cell', dir: project.dir, runDir: project.dir, cellId: 'sft-n1-t1-s0', key, manifest }
}

// Review finding: `bench eval --checkpoint <run>/<cell>` claimed the run's numbers after the run's data or plugin options changed.
describe("a run's cell evaluated again: what changed since the run", () => {
  it('names a data file whose bytes differ from the ones the run read, and nothing when they are the same', async () => {
    const file = path.join(project.dir, 'gsm8k.jsonl')
    writeFileSync(file, gsm8k([3, 5, 8]))
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex')
    const { config, registry } = await setupRun({
      cwd: project.dir,
      command: 'eval',
      flags: { matrix: { task: 'gsm8k', strategies: ['sft'] }, data: file },
      builtins,
    })
    const plugins = await resolveRunPlugins(config, registry)
    const recorded = { harness: harnessPackage(), plugins: pluginRecords(registry), dataFiles: [{ path: file, sha256 }] }
    expect(await changedSinceTheRun(cellOfRun(recorded), config, registry, plugins)).toEqual([])

    writeFileSync(file, gsm8k([3, 5, 9]))
    expect(await changedSinceTheRun(cellOfRun(recorded), config, registry, plugins)).toEqual([
      `data file ${file} (sha256 ${sha256} in the run) is not loaded here with those bytes`,
    ])
  })

  it("names a plugin whose options differ, and not the run's other strategies, which one cell does not load", async () => {
    const { config, registry } = await setupRun({
      cwd: project.dir,
      command: 'eval',
      flags: { plugins: [['toy', { prompts: 40 }]], matrix: { task: 'toy', model: 'tabular', strategies: ['rl'] } },
      builtins,
    })
    const plugins = await resolveRunPlugins(config, registry)
    const here = pluginRecords(registry)
    const ran = [
      ...here.map((p) => (p.name === 'bonbench:toy' ? { ...p, options: { ...p.options, prompts: 32 } } : p)),
      { name: 'bonbench:sft', kind: 'strategy', version: '0.1.0', options: {}, source: 'built-in' },
    ]
    const cell = cellOfRun({ harness: harnessPackage(), plugins: ran, dataFiles: [] }, { task: 'toy', model: 'tabular', strategy: 'rl' })
    const changes = await changedSinceTheRun(cell, config, registry, plugins)
    expect(changes).toEqual([expect.stringMatching(/^task bonbench:toy has other options here \(\{.*"prompts":40/)])
  })
})

describe('the pool size of a run’s cell over the N grid given (--n without --pool-size)', () => {
  it.each([
    // [the run's pool size, --n, --pool-size, evaluated with (undefined: the run's)]
    [8, undefined, undefined, undefined],
    [8, [1, 2, 4], undefined, undefined],
    [8, [1, 2, 4, 8], undefined, undefined],
    [8, [1, 2], undefined, undefined],
    [8, [1, 2, 4, 8, 16], undefined, 32],
    [8, [16, 1], undefined, 32],
    [8, [1, 16], 20, undefined],
  ] as const)('run pool %s, --n %j, --pool-size %s: %s', (recorded, n, given, expected) => {
    expect(poolSizeForGrid(recorded, n ? [...n] : undefined, given)).toBe(expected)
  })
})
