import { afterAll, describe, expect, it } from 'vitest'
import { renderResultsTable, resultRows } from '../../../cli/render-results.js'
import type { UserConfig } from '../../../core/config/types.js'
import { selectionAtK } from '../../../core/metrics/selection-at-k.js'
import { resolveSelectionRules } from '../../../core/metrics/selection-rules.js'
import type { CellResult, PoolSample } from '../../../core/plugin-api/results.js'
import { deriveSeed } from '../../../core/rng.js'
import { readRun } from '../../../core/run/run-record.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { renderHtml } from '../../../reports/html.js'
import { renderMarkdown } from '../../../reports/markdown.js'
import { sampleBrowserData } from '../../../reports/sample-browser.js'
import { buildResults } from '../../../reports/results-json.js'
import { resultsSchema } from '../../../reports/results-schema.js'
import { journalOf, tempProject, toyRunSetup } from '../../helpers/toy-run.js'

const rules: NonNullable<NonNullable<UserConfig['eval']>['selectionRules']> = [
  'majority',
  'weighted-majority',
  ['rbon-kl', { beta: 0.5 }],
  ['rbon-wd', { beta: 1 }],
  ['srbon-kl', { beta: 0.5 }],
]

const projects: Array<{ cleanup: () => void }> = []
afterAll(() => projects.forEach((p) => p.cleanup()))

async function toyRun(selectionRules?: typeof rules) {
  const project = tempProject('bonbench-rules-')
  projects.push(project)
  const setup = toyRunSetup(project.dir, {
    config: { matrix: { nGrid: [1, 2, 4], seeds: [1, 2] }, eval: { testPrompts: 4, ...(selectionRules ? { selectionRules } : {}) } },
  })
  const outcome = await runMatrix(setup)
  return { outcome, records: journalOf(outcome.runDir) }
}

/** A journal record without what only a run with selection rules adds (pool log-probabilities, selection curves). */
function withoutRules(record: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(record), (key, value) => (key === 'logProb' || key === 'selection' || key === 'wallMs' || key === 'at' ? undefined : value))
}

describe('a run with eval.selectionRules', () => {
  it('adds one curve per rule, equal to the estimators on the journaled pools, and changes no other number', async () => {
    const plain = await toyRun()
    const ruled = await toyRun(rules)
    const cells = (records: typeof plain.records) => records.filter((r) => r.type === 'cell').map((r) => (r as unknown as { result: CellResult }).result)
    const plainCells = cells(plain.records)
    const ruledCells = cells(ruled.records)
    expect(ruledCells).toHaveLength(2)
    // Without rules nothing of them appears; with them, every other number is bit-identical.
    for (const c of plainCells) {
      expect(c.metrics.selection).toBeUndefined()
      expect(c.prompts.every((p) => p.selection === undefined)).toBe(true)
    }
    expect(ruledCells.map((c) => withoutRules({ ...c, compute: { ...c.compute, wallMs: 0 } }))).toEqual(
      plainCells.map((c) => withoutRules({ ...c, compute: { ...c.compute, wallMs: 0 } })),
    )
    const pools = (records: typeof plain.records) =>
      records.filter((r) => r.type === 'pool') as unknown as Array<{ cellId: string; promptId: string; samples: PoolSample[] }>
    expect(pools(plain.records).every((p) => p.samples.every((s) => s.logProb === undefined))).toBe(true)
    expect(pools(ruled.records).every((p) => p.samples.every((s) => Number.isFinite(s.logProb)))).toBe(true)
    expect(pools(ruled.records).map((p) => withoutRules(p))).toEqual(pools(plain.records).map((p) => withoutRules(p)))

    // Each rule's per-prompt values are the estimator's on the journaled pool, with the cell's metric seed.
    const resolved = resolveSelectionRules(rules).slice(1)
    for (const cell of ruledCells) {
      expect(cell.metrics.selection!.map((s) => [s.state, s.label])).toEqual([
        ['computed', 'weighted maj@N'],
        ['computed', 'RBoN-KL β=0.5'],
        ['computed', 'RBoN-WD β=1'],
        ['computed', 'SRBoN-KL β=0.5'],
      ])
      for (const prompt of cell.prompts) {
        const pool = pools(ruled.records).find((p) => p.cellId === cell.cellId && p.promptId === prompt.promptId)!
        for (const rule of resolved) {
          const id = cell.metrics.selection![resolved.indexOf(rule)]!.rule
          const seed = deriveSeed(deriveSeed(cell.key.seed, cell.cellId, 'metrics'), prompt.promptId, 'selection')
          expect(prompt.selection![id]).toEqual(selectionAtK(pool.samples, cell.metrics.grid, rule, { seed }).values)
        }
      }
    }

    // results.json (schema-valid), report.md and the terminal table show one curve per rule.
    const results = buildResults(await readRun(ruled.outcome.runDir), { now: new Date(0), bootstrap: 50 })
    expect(resultsSchema.safeParse(results).success).toBe(true)
    const group = results.groups[0]!
    expect(group.selection!.map((s) => s.rule)).toEqual(['weighted-majority', 'rbon-kl(beta=0.5)', 'rbon-wd(beta=1,cost=answer)', 'srbon-kl(beta=0.5)'])
    const chart = results.charts.find((c) => c.kind === 'selection-curve')!
    expect(chart.series.map((s) => s.label)).toEqual([
      'base · Bo-N',
      'base · maj@N',
      'base · weighted maj@N',
      'base · RBoN-KL β=0.5',
      'base · RBoN-WD β=1',
      'base · SRBoN-KL β=0.5',
    ])
    expect(chart.series[3]!.points.map((p) => p.y)).toEqual((group.selection![1] as { values: Array<{ value: number }> }).values.map((v) => v.value))
    const md = renderMarkdown(results)
    expect(md).toContain('Selection rules (mean reward')
    expect(md).toMatch(/\| base · RBoN-WD β=1 \| [\d.]+ \(/)
    const run = await readRun(ruled.outcome.runDir)
    const html = renderHtml(results, sampleBrowserData(run, 1), '', '')
    expect(html).toContain('<h2>Selection rules against N</h2>')
    expect(html).toContain('<th>base · RBoN-KL β=0.5</th>')
    const table = renderResultsTable(resultRows(ruled.outcome.results, { resamples: 50 }))
    expect(table).toMatch(/selection rule/)
    expect(table).toMatch(/base · SRBoN-KL β=0\.5 \(2 seeds\)|base \(2 seeds\) · SRBoN-KL β=0\.5/)

    // Without rules, results.json has no trace of them.
    const plainResults = buildResults(await readRun(plain.outcome.runDir), { now: new Date(0), bootstrap: 50 })
    expect(plainResults.groups[0]!.selection).toBeUndefined()
    expect(plainResults.charts.some((c) => c.kind === 'selection-curve')).toBe(false)
    expect(renderMarkdown(plainResults)).not.toContain('Selection rules')
    expect(renderHtml(plainResults, sampleBrowserData(await readRun(plain.outcome.runDir), 1), '', '')).not.toContain('Selection rules')
  })

  it('evaluates the rules at every checkpoint too (train.evalEvery)', async () => {
    const project = tempProject('bonbench-rules-ckpt-')
    projects.push(project)
    const setup = toyRunSetup(project.dir, {
      config: {
        matrix: { strategies: ['sft'], nGrid: [1, 2] },
        train: { steps: 3, evalEvery: 1 },
        eval: { testPrompts: 3, selectionRules: [['rbon-kl', { beta: 1 }], 'weighted-majority'] },
      },
    })
    const outcome = await runMatrix(setup)
    const records = journalOf(outcome.runDir)
    const checkpoints = records.filter((r) => r.type === 'checkpoint-eval') as unknown as Array<{ metrics: CellResult['metrics'] }>
    expect(checkpoints).toHaveLength(2)
    for (const c of checkpoints.map((c) => c.metrics)) {
      expect(c.selection!.map((s) => `${s.state} ${s.rule}`)).toEqual(['computed rbon-kl(beta=1)', 'computed weighted-majority'])
    }
    const results = buildResults(await readRun(outcome.runDir), { now: new Date(0), bootstrap: 20 })
    expect(resultsSchema.safeParse(results).success).toBe(true)
    expect(results.cells.find((c) => c.key.strategy === 'sft')!.checkpoints![0]!.metrics.selection).toHaveLength(2)
  })
})
