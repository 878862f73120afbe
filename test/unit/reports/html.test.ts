import { describe, expect, it } from 'vitest'
import { jsonForScript, readChartJs, renderHtml, scriptForHtml } from '../../../reports/html.js'
import { buildResults } from '../../../reports/results-json.js'
import { sampleBrowserData } from '../../../reports/sample-browser.js'
import { syntheticRunData } from '../../helpers/synthetic-run.js'

describe('report.html (no browser)', () => {
  it('embeds JSON that cannot close its script tag and parses back unchanged', () => {
    const value = { text: '</script><script>alert(1)</script> <!-- & \u2028 </SCRIPT >' }
    const embedded = jsonForScript(value)
    expect(embedded).not.toMatch(/<\/script/i)
    expect(embedded).not.toContain('<!--')
    expect(JSON.parse(embedded)).toEqual(value)
  })

  it('neutralises closing tags in inline code and drops source-map comments', () => {
    const code = 'var s = "</script>"; // x\n//# sourceMappingURL=chart.umd.js.map'
    const safe = scriptForHtml(code)
    expect(safe).not.toMatch(/<\/script/i)
    expect(safe).not.toContain('sourceMappingURL')
    // the JS meaning is unchanged
    expect(new Function(`${safe}; return s`)()).toBe('</script>')
  })

  it('draws no co-scaling chart for a run of one temperature, and says so as report.md does', () => {
    const one = syntheticRunData({ prompts: 6, poolSize: 4, grid: [1, 2, 4], seeds: [0], temperatures: [1], bootstrap: 10 })
    const results = buildResults(one, { bootstrap: 50 })
    expect(results.charts.filter((c) => c.kind === 'co-scaling')).toEqual([])
    // The fits stay in results.json's section.
    expect(results.coScaling.fits.length).toBeGreaterThan(0)
    const html = renderHtml(results, sampleBrowserData(one, 1), '', '')
    expect(html).not.toContain('charts-co-scaling')
    expect(html).toContain('One temperature only: nothing to co-scale.')
    const two = syntheticRunData({ prompts: 6, poolSize: 4, grid: [1, 2, 4], seeds: [0], temperatures: [0.7, 1], bootstrap: 10 })
    const both = buildResults(two, { bootstrap: 50 })
    expect(both.charts.filter((c) => c.kind === 'co-scaling').length).toBeGreaterThan(0)
    expect(renderHtml(both, sampleBrowserData(two, 1), '', '')).toContain('charts-co-scaling')
  })

  it('is one self-contained file: Chart.js inline, no external URL loaded', async () => {
    const run = syntheticRunData({ prompts: 6, poolSize: 4, grid: [1, 2, 4], seeds: [0], temperatures: [1], bootstrap: 10 })
    const results = buildResults(run, { bootstrap: 50 })
    const html = renderHtml(results, sampleBrowserData(run, 1), await readChartJs(), '/* client */')
    expect(html).toContain('Chart.js v4')
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)="(?!data:)/i)
    expect(html).not.toMatch(/@import|url\(http/i)
    // the journaled text contains '</script><b>' and must stay inside its JSON block
    expect(html.match(/<\/script>/g)!.length).toBe(4)
    expect(html).not.toContain('<b>x</b>')
  })

  it('marks the verifier pick and the correct samples in the sample browser data', () => {
    const run = syntheticRunData({ prompts: 3, poolSize: 8, grid: [1, 2], seeds: [0], temperatures: [1], bootstrap: 10 })
    const data = sampleBrowserData(run, 1, { maxPromptsPerCell: 2, maxTextChars: 20 })
    expect(data.cells).toHaveLength(run.cells.length)
    expect(data.truncated).toBe(true)
    for (const cell of data.cells) {
      expect(cell.prompts).toHaveLength(2)
      for (const prompt of cell.prompts) {
        const top = Math.max(...prompt.samples.map((s) => s.score))
        expect(
          prompt.samples
            .filter((s) => s.picked)
            .map((s) => s.score)
            .every((s) => s === top),
        ).toBe(true)
        expect(prompt.samples.some((s) => s.picked)).toBe(true)
        for (const s of prompt.samples) expect(s.correct).toBe(s.reward >= 1)
        for (const s of prompt.samples) expect(s.text.length).toBeLessThanOrEqual(21)
      }
    }
  })
})

describe('report.html provenance', () => {
  it('labels each strategy row with the judge of its picks and shows the harness, backend, judges and data files', () => {
    const run = syntheticRunData({ prompts: 4, poolSize: 4, grid: [1, 2, 4], seeds: [0], temperatures: [1], bootstrap: 10 })
    run.manifest.provenance.dataFiles = [{ path: '/data/test.jsonl', sha256: 'c'.repeat(64) }]
    const html = renderHtml(buildResults(run, { bootstrap: 20 }), sampleBrowserData(run, 1), '', '')
    const rows = [...html.matchAll(/<tr><th>([^<]*)<\/th><td>/g)].map((m) => m[1])
    // The metrics table, then the majority-vote table (report.md has both).
    expect(rows).toEqual(['base', 'bon-rl N&#39;=4 (picks by r)', 'sft', 'base', 'bon-rl N&#39;=4 (picks by r)', 'sft'])
    expect(html).toContain('<p class="meta">Majority vote:</p><table class="results"><thead><tr><th>strategy</th><th>maj@1</th>')
    expect(html).toContain('bonbench 0.1.0 (commit fedcba987654, dirty)')
    expect(html).toContain('backend wasm')
    expect(html).toContain('selector r: <code>bonbench:reward-model</code>')
    expect(html).toContain(`<code>/data/test.jsonl</code> sha256 <code>${'c'.repeat(64)}</code>`)
  })

  it('lists the warnings report.md lists under Problems (a skipped journal line, a group left out of pooled numbers), escaped', () => {
    const run = syntheticRunData({ prompts: 4, poolSize: 4, grid: [1, 2], seeds: [0], temperatures: [1], bootstrap: 10 })
    const results = buildResults(run, { bootstrap: 20 })
    results.warnings.push('1 bad journal line(s) skipped: 40', 'group <b>x</b>: its seeds share no prompt; left out of pooled numbers')
    const html = renderHtml(results, sampleBrowserData(run, 1), '', '')
    expect(html).toContain('<ul class="warnings"><li>1 bad journal line(s) skipped: 40</li><li>group &lt;b&gt;x&lt;/b&gt;: its seeds share no prompt')
  })
})
