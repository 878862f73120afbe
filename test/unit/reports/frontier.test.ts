import { Ajv2020 } from 'ajv/dist/2020.js'
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import type { CheckpointEval, KlEstimate } from '../../../core/plugin-api/divergence.js'
import type { CellResult } from '../../../core/plugin-api/results.js'
import { renderHtml } from '../../../reports/html.js'
import { renderMarkdown } from '../../../reports/markdown.js'
import type { RunData } from '../../../core/run/run-record.js'
import { buildResults } from '../../../reports/results-json.js'
import { resultsSchema } from '../../../reports/results-schema.js'
import { sampleBrowserData } from '../../../reports/sample-browser.js'
import { resultsSchemaPath } from '../../../reports/write-results-schema.js'
import { syntheticRunData } from '../../helpers/synthetic-run.js'

const spec = { prompts: 12, poolSize: 8, grid: [1, 2, 4], seeds: [0, 1], temperatures: [1], bootstrap: 50 }

/** A KL estimate with the same per-token value `v` on every prompt of `cell`. */
function flatKl(cell: CellResult, v: number): KlEstimate {
  return {
    state: 'measured',
    perToken: v,
    ci: [v, v],
    perSequence: 10 * v,
    perSequenceCi: [10 * v, 10 * v],
    meanTokens: 10,
    samples: cell.prompts.length * 8,
    source: 'pool',
    prompts: cell.prompts.map((p) => ({ promptId: p.promptId, perToken: v, perSequence: 10 * v, tokens: 80, samples: 8 })),
  }
}

/** The synthetic run with KL on every cell and, for trained cells, one checkpoint at step 1 of 3 (the final model's metrics, KL halved). */
function runWithDivergence(): RunData {
  const run = syntheticRunData(spec)
  const checkpointEvals = new Map<string, CheckpointEval[]>()
  for (const cell of run.cells) {
    const base = cell.key.strategy === 'base'
    cell.kl = flatKl(cell, base ? 0 : 0.02 * (1 + cell.key.seed))
    cell.training = base ? [] : [0, 1, 2].map((step) => ({ step, loss: 1, gradNorm: 1 }))
    if (!base)
      checkpointEvals.set(cell.cellId, [
        {
          step: 1,
          metrics: cell.metrics,
          prompts: cell.prompts,
          kl: flatKl(cell, 0.01 * (1 + cell.key.seed)),
          compute: { samplesDrawn: 1, tokensGenerated: 1, wallMs: 1 },
        },
      ])
  }
  return { ...run, checkpointEvals }
}

describe('the divergence frontier in results.json and the reports', () => {
  it('pools each group over seeds per checkpoint step: KL by two-level bootstrap, base at step 0 and KL exactly 0', async () => {
    const results = JSON.parse(JSON.stringify(buildResults(runWithDivergence(), { bootstrap: 100 })))
    expect(resultsSchema.safeParse(results).success).toBe(true)
    const ajv = new Ajv2020({ allErrors: true })
    const validate = ajv.compile(JSON.parse(await readFile(resultsSchemaPath, 'utf8')))
    expect(validate(results), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true)
    const parsed = resultsSchema.parse(results)
    const base = parsed.groups.find((g) => g.key.strategy === 'base')!
    expect(base.frontier!.map((p) => [p.step, p.kl])).toEqual([[0, { value: 0, ci: [0, 0] }]])
    for (const g of parsed.groups.filter((x) => x.key.strategy !== 'base')) {
      expect(g.frontier!.map((p) => p.step)).toEqual([1, 3])
      // Seeds 0 and 1 measured 0.01 and 0.02 at step 1, 0.02 and 0.04 at the end: the pooled means.
      expect(g.frontier![0]!.kl!.value).toBeCloseTo(0.015, 12)
      expect(g.frontier![1]!.kl!.value).toBeCloseTo(0.03, 12)
      // The final point is the group's own estimate.
      expect(g.frontier![1]!.passAtN).toEqual(g.passAtN)
    }
    const cell = parsed.cells.find((c) => c.key.strategy !== 'base')!
    expect(cell.checkpoints!.map((c) => c.step)).toEqual([1])
    expect(cell.kl!.state).toBe('measured')
  })

  it('charts pass@N and Bo-N against KL per arm, from the base point, and tables them in report.md and report.html', () => {
    const run = runWithDivergence()
    const results = buildResults(run, { bootstrap: 50 })
    const charts = results.charts.filter((c) => c.kind === 'frontier')
    expect(charts.map((c) => c.id)).toEqual(['frontier-pass-0', 'frontier-bon-0'])
    const arm = charts[0]!.series.find((s) => s.label !== 'base')!
    expect(arm.points.map((p) => p.label)).toEqual(['base', 'step 1', 'step 3'])
    expect(arm.points[0]!.x).toBe(0)
    expect(charts[0]!.yLabel).toBe('pass@4')
    const md = renderMarkdown(results)
    expect(md).toContain('## Divergence frontier')
    expect(md).toMatch(/\| strategy \| step \| KL\/token \(nats\) \| pass@1 \| pass@4 \| Bo-4 \|/)
    expect(md).toMatch(/\| base \| 0 \| 0 \[0, 0\] \|/)
    const html = renderHtml(results, sampleBrowserData(run, 1), '', '')
    expect(html).toContain('id="charts-frontier"')
  })

  it('leaves the frontier out of a run without KL, and says why a KL is absent', () => {
    const plain = buildResults(syntheticRunData(spec), { bootstrap: 20 })
    expect(renderMarkdown(plain)).not.toContain('Divergence frontier')
    expect(renderHtml(plain, sampleBrowserData(syntheticRunData(spec), 1), '', '')).not.toContain('charts-frontier')
    const run = syntheticRunData(spec)
    for (const cell of run.cells) cell.kl = { state: 'absent', reason: "model 'remote' cannot score log-probabilities (it has no logProb())" }
    const results = buildResults(run, { bootstrap: 20 })
    expect(results.groups.every((g) => g.frontier!.length === 1 && g.frontier![0]!.kl === null)).toBe(true)
    expect(results.charts.some((c) => c.kind === 'frontier')).toBe(false)
    expect(renderMarkdown(results)).toContain('absent (')
  })
})
