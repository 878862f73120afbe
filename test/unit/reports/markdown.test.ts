import { describe, expect, it } from 'vitest'
import { fmtEstimate, mdCell, renderMarkdown } from '../../../reports/markdown.js'
import { buildResults } from '../../../reports/results-json.js'
import { syntheticRunData } from '../../helpers/synthetic-run.js'

const run = syntheticRunData({ prompts: 12, poolSize: 8, grid: [1, 2, 4, 8], seeds: [0, 1], bootstrap: 20 })
const results = buildResults(run, { bootstrap: 100, now: new Date('2026-11-25T12:00:00Z') })
const md = renderMarkdown(results)

function tableAfter(heading: string): string[] {
  const lines = md.split('\n')
  const start = lines.indexOf(heading)
  const rows: string[] = []
  for (let i = start + 1; i < lines.length; i++) {
    if (lines[i]!.startsWith('|')) rows.push(lines[i]!)
    else if (rows.length > 0) break
  }
  return rows
}

describe('report.md', () => {
  it('has one metric table per temperature: rows base and strategies, columns pass@1, pass@N and Bo-N with CIs', () => {
    const rows = tableAfter('### math · tiny-transformer · T=1')
    expect(rows[0]).toBe('| strategy | seeds | pass@1 | pass@2 | pass@4 | pass@8 | Bo-1 | Bo-2 | Bo-4 | Bo-8 |')
    const body = rows.slice(2)
    expect(body.map((r) => r.split('|')[1]!.trim())).toEqual(['base T=1', "bon-rl N'=4 T=1 (picks by r)", 'sft T=1'])
    const base = results.groups.find((g) => g.key.strategy === 'base' && g.key.temperature === 1)!
    const cells = body[0]!.split('|').map((c) => c.trim())
    expect(cells[3]).toBe(fmtEstimate(base.pass1))
    expect(cells[6]).toBe(fmtEstimate(base.passAtN[3]!))
    expect(cells[10]).toBe(fmtEstimate(base.bestOfN[3]!))
    expect(cells[3]).toMatch(/^\d+\.\d \(\d+\.\d–\d+\.\d\)$/)
  })

  it("lists every plugin's name, version and options, and the environment", () => {
    for (const p of run.manifest.provenance.plugins) {
      const row = md.split('\n').find((l) => l.startsWith(`| \`${p.name}\``))
      expect(row, p.name).toBeDefined()
      expect(row).toContain(p.version)
      expect(row).toContain(mdCell(JSON.stringify(p.options)))
    }
    expect(md).toContain('| node | v20.0.0 |')
    expect(md).toContain('| backend | wasm (cpu), requested auto |')
    expect(md).toContain('0123456789abcdef0123456789abcdef01234567')
    expect(md).toContain('| pass@N counts | reward ≥ 1 |')
  })

  it('escapes pipes in run text so tables keep their shape', () => {
    const row = md.split('\n').find((l) => l.startsWith('| platform |'))!
    expect(row).toContain('Synthetic CPU \\| with a pipe')
    expect(row.split(/(?<!\\)\|/).length).toBe(4)
  })

  it('reports prepared components and the co-scaling section', () => {
    expect(md).toContain('| reward-model | auc | 0.83 |')
    expect(md).toContain('## Co-scaling across temperatures')
    expect(md).toContain('| N | best T | pass@N |')
  })
})
