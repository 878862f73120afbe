import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import type { TaskPlugin } from '../../../core/plugin-api/task.js'
import { buildProvenance, selectionLabel, withResolvedBackend } from '../../../core/run/provenance.js'
import { diffRunResults } from '../../../core/run/rerun-diff.js'
import type { JournalRecord } from '../../../core/run/journal-types.js'
import { resolveRunPlugins } from '../../../core/run/run-plugins.js'
import { setupRun } from '../../../core/run/setup.js'
import { builtins } from '../../../cli/builtins.js'
import { syntheticRun } from '../../helpers/synthetic-run.js'

const repo = resolve(import.meta.dirname, '../../..')
const pkg = JSON.parse(readFileSync(resolve(repo, 'package.json'), 'utf8')) as { name: string; version: string }
const sharedData = resolve(repo, '../shared/data')

/** A third-party strategy that declares its judge (the field every strategy declares). */
const judged: StrategyPlugin & { selection: 'reward' } = {
  name: 'lab/judged',
  kind: 'strategy',
  meta: { version: '2.3.4' },
  options: { k: 3 },
  selection: 'reward',
  needs: () => ({ policySamples: 2 }),
  weights: () => ({ sequences: [] }),
}

describe('the provenance block', () => {
  it('records harness, Node, resolved config, every plugin, each strategy’s judge, judges, backend, seeds, data files and checkpoint', async () => {
    const { config, registry } = await setupRun({
      cwd: repo,
      configPath: undefined,
      command: 'run',
      flags: {
        plugins: [judged, ['toy', { prompts: 7 }]],
        matrix: { task: 'toy', model: 'tabular', strategies: ['rl', 'lab/judged'], seeds: [5, 6] },
        taskSeed: 99,
      },
      builtins,
    })
    const plugins = await resolveRunPlugins(config, registry)
    const dataFiles = [{ path: '/data/x.jsonl', sha256: 'a'.repeat(64) }]
    const p = await buildProvenance({ config, registry, plugins, dataFiles, argv: ['run', 'toy'], cwd: repo, checkpoint: 'ckpt/base' })
    expect(p.harness).toMatchObject({ name: pkg.name, version: pkg.version })
    expect(p.node).toBe(process.version)
    expect(p.cwd).toBe(repo)
    expect(p.argv).toEqual(['run', 'toy'])
    // The resolved config, as plain JSON: inline plugin objects become their names.
    expect(p.config).toMatchObject({ task: 'toy', model: 'tabular', strategies: ['rl', 'lab/judged'], seeds: [5, 6], taskSeed: 99, backend: 'auto' })
    expect(p.config.plugins).toEqual([{ inline: 'lab/judged' }, ['toy', { prompts: 7 }]])
    expect(JSON.parse(JSON.stringify(p))).toEqual(p)
    // Every plugin the run uses, with version, resolved options and source.
    const byName = new Map(p.plugins.map((x) => [x.name, x]))
    expect(byName.get('lab/judged')).toEqual({ name: 'lab/judged', kind: 'strategy', version: '2.3.4', options: { k: 3 }, source: 'inline' })
    expect(byName.get('bonbench:toy')).toMatchObject({ kind: 'task', source: 'built-in', options: { prompts: 7, seed: 1 } })
    for (const name of ['bonbench:tabular', 'bonbench:toy-answer', 'bonbench:rl']) expect(byName.get(name)?.version).toMatch(/^\d+\.\d+\.\d+/)
    // Each strategy with the judge its plugin declares (absent when the plugin declares none).
    const rl = (await registry.get('strategy', 'rl')) as { selection?: string }
    expect(p.strategies).toEqual([
      { name: 'rl', plugin: 'bonbench:rl', ...(rl.selection ? { selection: rl.selection } : {}) },
      { name: 'lab/judged', plugin: 'lab/judged', selection: 'reward' },
    ])
    expect(p.judges).toEqual({ reward: 'bonbench:toy-answer', selector: 'bonbench:toy-answer' })
    expect(p.backend).toEqual({ requested: 'auto' })
    expect(withResolvedBackend(p, { backend: 'wasm', device: 'cpu' }).backend).toEqual({ requested: 'auto', resolved: 'wasm', device: 'cpu' })
    expect(p.seeds).toEqual({ matrix: [5, 6], task: 99 })
    expect(p.dataFiles).toEqual(dataFiles)
    expect(p.checkpoint).toBe(resolve(repo, 'ckpt/base'))
    // Run from a git checkout (as in CI's fresh clone), the harness's commit is recorded.
    if (existsSync(resolve(repo, '.git'))) expect(p.harness.git?.commit).toMatch(/^[0-9a-f]{40}$/)
  })

  it('labels picks by R and by r, and nothing for strategies without picks', () => {
    expect(selectionLabel('reward')).toBe('picks by R')
    expect(selectionLabel('verifier')).toBe('picks by r')
    expect(selectionLabel('none')).toBeUndefined()
    expect(selectionLabel(undefined)).toBeUndefined()
  })

  it.each([
    ['gsm8k', 'gsm8k/test.jsonl'],
    ['math500', 'math/math500_test.jsonl'],
    ['humaneval-js', 'humaneval_js/humaneval_js.humaneval-x.jsonl.gz'],
    ['humaneval', 'humaneval/HumanEval.jsonl.gz'],
  ])('dataset task %s records the sha256 of its data file’s bytes on disk (%s)', async (name, file) => {
    const { registry } = await setupRun({ cwd: repo, command: 'run', flags: { matrix: { task: name } }, builtins })
    const task = (await registry.get('task', name)) as TaskPlugin
    const path = resolve(sharedData, file)
    const data = await task.load({ seed: 1, dataPath: path })
    expect(data.files).toEqual([{ path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') }])
  })
})

describe('diffRunResults', () => {
  const { records, manifest } = syntheticRun({ prompts: 4, poolSize: 4, grid: [1, 2, 4], seeds: [0], bootstrap: 20 })
  const order = manifest.cells.map((c) => c.cellId)
  const copy = (): JournalRecord[] => JSON.parse(JSON.stringify(records)) as JournalRecord[]

  it('finds two identical journals identical, wall time aside', () => {
    const again = copy()
    for (const r of again) if (r.type === 'cell') r.result.compute.wallMs += 1234
    expect(diffRunResults(records, again, order)).toMatchObject({
      identical: true,
      cells: order.length,
      differingCells: [],
      total: 0,
      unfinished: { failed: 0, missing: 0 },
    })
  })

  it('counts a cell that failed in both runs with the same error as unfinished, and a changed error as a difference', () => {
    const key = manifest.cells[0]!.key
    const id = manifest.cells[0]!.cellId
    const without = records.filter((r) => !(r.type === 'cell' && r.cellId === id))
    const failed = (message: string): JournalRecord[] => [...without, { type: 'error', cellId: id, key, message }]
    const same = diffRunResults(failed('boom'), failed('boom'), order)
    expect(same).toMatchObject({ identical: true, unfinished: { failed: 1, missing: 0 } })
    const other = diffRunResults(failed('boom'), failed('bang'), order)
    expect(other.identical).toBe(false)
    expect(other.differences).toEqual([`${id}: error "boom" → "bang"`])
    expect(diffRunResults(records, failed('boom'), order).differences).toEqual([`${id}: finished → failed (boom)`])
  })

  it('names a one-ulp change in a per-prompt metric, a changed training loss and a missing cell', () => {
    const again = copy()
    const cells = again.filter((r): r is Extract<JournalRecord, { type: 'cell' }> => r.type === 'cell')
    const first = cells[0]!
    const v = first.result.prompts[1]!.bestOfN[2]!
    first.result.prompts[1]!.bestOfN[2] = v + Number.EPSILON * Math.max(1, Math.abs(v))
    const trained = cells.find((c) => c.result.training.length > 0)!
    trained.result.training[0]!.loss += 1
    const last = cells[cells.length - 1]!
    const diff = diffRunResults(
      records,
      again.filter((r) => r !== last),
      order,
    )
    expect(diff.identical).toBe(false)
    expect(diff.differingCells).toEqual(expect.arrayContaining([first.cellId, trained.cellId, last.cellId]))
    expect(diff.differences).toContain(`${first.cellId}: prompts[1].bestOfN[2]: ${v} → ${first.result.prompts[1]!.bestOfN[2]}`)
    expect(diff.differences.some((d) => d.startsWith(`${trained.cellId}: training[0].loss: `))).toBe(true)
    expect(diff.differences).toContain(`${last.cellId}: finished → missing`)
  })

  it('names a changed KL and a changed checkpoint evaluation (train.evalEvery), wall time aside', () => {
    const withEvals = (klValue: number, evalPass: number, wallMs: number): JournalRecord[] => {
      const out = copy()
      const cell = out.find((r): r is Extract<JournalRecord, { type: 'cell' }> => r.type === 'cell')!
      cell.result.kl = {
        state: 'measured',
        perToken: klValue,
        ci: [klValue, klValue],
        perSequence: klValue,
        perSequenceCi: [klValue, klValue],
        meanTokens: 1,
        samples: 1,
        source: 'pool',
        prompts: [],
      }
      const metrics = { ...cell.result.metrics, pass1: evalPass }
      out.push({
        type: 'checkpoint-eval',
        cellId: cell.cellId,
        step: 1,
        metrics,
        prompts: cell.result.prompts,
        kl: { state: 'absent', reason: 'x' },
        compute: { samplesDrawn: 1, tokensGenerated: 1, wallMs },
      })
      return out
    }
    expect(diffRunResults(withEvals(0.1, 0.5, 1), withEvals(0.1, 0.5, 999), order).identical).toBe(true)
    const diff = diffRunResults(withEvals(0.1, 0.5, 1), withEvals(0.2, 0.25, 1), order)
    expect(diff.differences).toEqual([
      `${order[0]}: kl.perToken: 0.1 → 0.2`,
      `${order[0]}: kl.ci[0]: 0.1 → 0.2`,
      `${order[0]}: kl.ci[1]: 0.1 → 0.2`,
      `${order[0]}: kl.perSequence: 0.1 → 0.2`,
      `${order[0]}: kl.perSequenceCi[0]: 0.1 → 0.2`,
      `${order[0]}: kl.perSequenceCi[1]: 0.1 → 0.2`,
      `${order[0]}: checkpoints[0].metrics.pass1: 0.5 → 0.25`,
    ])
  })
})
