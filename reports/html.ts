import { readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import type { ResultsTable, TableValue } from '../core/summary/results-table.js'
import { contextsOf, groupsTable } from './markdown.js'
import type { Results } from './results-schema.js'
import type { SampleBrowserData } from './sample-browser.js'

const require = createRequire(import.meta.url)

/**
 * Makes text safe inside a `<script>` element: no `</script`, `<!--` or `<script` can appear, so
 * the HTML parser never leaves the element early. For JSON, `<`, `>` and `&` become \u escapes
 * (still valid JSON, parsed back unchanged); U+2028/2029 are escaped for old JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/**
 * Makes JavaScript source safe inside a `<script>` element. `<\/` means `</` inside JS strings,
 * regexes and comments, which is the only place these sequences occur in library code. Source-map
 * comments are dropped so the page requests nothing.
 */
export function scriptForHtml(source: string): string {
  return source
    .replace(/^\/\/# sourceMappingURL=.*$/gm, '')
    .replace(/<\/(script)/gi, '<\\/$1')
    .replace(/<!--/g, '<\\!--')
    .replace(/<(script)/gi, '\\x3c$1')
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

/** Reads Chart.js's UMD build from node_modules (the package's exports hide dist/, so go through `chart.js/auto`). */
export async function readChartJs(): Promise<string> {
  const auto = require.resolve('chart.js/auto')
  return readFile(path.join(path.dirname(auto), '..', 'dist', 'chart.umd.js'), 'utf8')
}

async function readClient(): Promise<string> {
  return readFile(new URL('./html-client.js', import.meta.url), 'utf8')
}

function estimateCell(e: TableValue | undefined): string {
  // Not markdown.ts's pct: that one prints '—' for non-finite values, this one prints them as they are.
  const pct = (v: number) => (100 * v).toFixed(1)
  if (!e) return '<td>—</td>'
  return e.ci ? `<td>${pct(e.value)} <span class="ci">${pct(e.ci[0])}–${pct(e.ci[1])}</span></td>` : `<td>${pct(e.value)}</td>`
}

/** The seed-pooled metrics as HTML tables per (task, model, T): report.md's tables (metrics, majority vote, selection rules), laid out as HTML. */
function resultsTables(results: Results): string {
  return contextsOf(results)
    .map(({ title, groups }) => {
      const html = (t: ResultsTable) => {
        const head = [t.title, ...t.columns.map((c) => c.header)]
        const rows = t.rows.map((r) => `<tr><th>${escapeHtml(r.label)}</th>${r.values.map(estimateCell).join('')}</tr>`)
        return `<table class="results"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
      }
      const rules = groupsTable(results, groups, 'selection')
      return `<h3>${escapeHtml(title)}</h3>${html(groupsTable(results, groups, 'metrics'))}<p class="meta">Majority vote:</p>${html(groupsTable(results, groups, 'majority'))}${rules.rows.length > 0 ? `<p class="meta">Selection rules: mean reward of each rule’s pick from N samples.</p>${html(rules)}` : ''}`
    })
    .join('')
}

/** Token usage per cell (report.md's table), for models that count it (API models); empty when no cell has any. */
function usageSection(results: Results): string {
  const cells = results.cells.filter((c) => c.usage !== undefined)
  if (cells.length === 0) return ''
  const rows = cells.map((c) => {
    const u = c.usage!
    const nums = [u.requests, u.cachedRequests, u.promptTokens, u.completionTokens].map((v) => `<td>${v}</td>`).join('')
    return `<tr><th><code>${escapeHtml(c.cellId)}</code></th>${nums}</tr>`
  })
  const head = ['cell', 'requests', 'from cache', 'prompt tokens', 'completion tokens'].map((h) => `<th>${h}</th>`).join('')
  return `<section><h2>Token usage</h2><p class="meta">Tokens as the server counted them; answers from the request cache count too (what the requests cost without the cache).</p>
<table class="results" id="token-usage"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></section>
`
}

const styles = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:1rem 2rem;color:#222}
h1{font-size:1.5rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:1rem}
figure.chart{margin:0;border:1px solid #eee;padding:.5rem}figcaption{font-weight:600}
.canvas-holder{position:relative;height:320px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:2px 6px;vertical-align:top}
tr.correct td:nth-child(2){color:#1a7f37}tr.wrong td:nth-child(2){color:#cf222e}tr.picked{background:#fff8c5}
td.text pre{margin:0;white-space:pre-wrap;max-height:8em;overflow:auto;font-size:12px}
.empty{color:#888}.meta{color:#555}select{max-width:100%}
table.results td{text-align:right;white-space:nowrap}.ci{color:#888;font-size:11px}
`

/**
 * Renders report.html: one self-contained file (Chart.js, data and code inline; no network).
 * Pure: same inputs, same bytes. The charts are exactly `results.charts`; the sample browser is
 * `samples`. Every piece of run text reaches the page as JSON in a script tag or escaped HTML.
 */
export function renderHtml(results: Results, samples: SampleBrowserData, chartJs: string, client: string): string {
  const run = results.run
  const p = results.provenance
  const title = `bonbench report — ${run.runId}`
  const finished = results.cells.length
  const plugins = p.plugins
    .map(
      (p) =>
        `<li><code>${escapeHtml(p.name)}</code> ${escapeHtml(p.kind)} v${escapeHtml(p.version)} <code>${escapeHtml(JSON.stringify(p.options))}</code></li>`,
    )
    .join('')
  const section = (kind: string, heading: string, note: string) =>
    `<section><h2>${heading}</h2><p class="meta">${note}</p><div class="charts" id="charts-${kind}"></div></section>`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${styles}</style>
<script>${scriptForHtml(chartJs)}</script>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Created ${escapeHtml(run.createdAt)} · ${finished} of ${run.plannedCells} cells finished · seeds ${escapeHtml(p.seeds.matrix.join(', '))} ·
${escapeHtml(p.harness.name)} ${escapeHtml(p.harness.version)}${p.harness.git ? ` (commit ${escapeHtml(p.harness.git.commit.slice(0, 12))}${p.harness.git.dirty ? ', dirty' : ''})` : ''} ·
Node ${escapeHtml(p.node)} · backend ${escapeHtml(p.backend.resolved ?? p.backend.requested)} · ${escapeHtml(p.platform.cpuModel)} (${p.platform.cpus} CPUs) ·
CIs ${Math.round(results.settings.level * 100)}% bootstrap over seeds and prompts · pass@N counts reward ≥ ${results.settings.threshold}</p>
${results.errors.length ? `<p>${results.errors.length} cell(s) failed: ${results.errors.map((e) => `<code>${escapeHtml(e.cellId)}</code>: ${escapeHtml(e.message)}`).join('; ')}</p>` : ''}
${results.warnings.length ? `<ul class="warnings">${results.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>` : ''}
<section><h2>Results</h2><p class="meta">Percent, with ${Math.round(results.settings.level * 100)}% CIs; report.md lists the significant comparisons.</p>${resultsTables(results) || '<p class="empty">No cell finished.</p>'}</section>
${section('bon-curve', 'Bo-N accuracy against N', 'Selection by the verifier; exact estimator over each prompt’s pool, averaged over prompts and seeds.')}
${section('pass-curve', 'pass@N against N', 'Unbiased pass@N from each pool, averaged over prompts and seeds.')}
${results.charts.some((c) => c.kind === 'selection-curve') ? section('selection-curve', 'Selection rules against N', 'One curve per selection rule (eval.selectionRules) and system: the mean reward of the rule’s pick from N samples, from the same pools; docs/selection-rules.md.') : ''}
${results.charts.some((c) => c.kind === 'frontier') ? section('frontier', 'pass@N and Bo-N against KL(π‖π_base)', 'Each arm through its checkpoints (train.evalEvery) to its final model, from the base at KL 0: KL per token from the policy’s own samples at T = 1; metrics at the largest N every arm reports.') : ''}
${section('training', 'Training curves', 'Loss (and mean reward where logged) per optimizer step.')}
${section('difficulty', 'Per-prompt difficulty', 'Each point is a prompt: the base model’s pass@1 against the trained model’s pass@N at the largest N.')}
${results.charts.some((c) => c.kind === 'co-scaling') ? section('co-scaling', 'Co-scaling across temperatures', 'Measured pass@N per temperature with the fit pass@N ≈ exp(a·N^b) (dashed) where it converged.') : '<section><h2>Co-scaling across temperatures</h2><p class="empty">One temperature only: nothing to co-scale.</p></section>'}
${usageSection(results)}<section><h2>Sample browser</h2>
<p><label>Cell <select id="browser-cell"></select></label> <label>Prompt <select id="browser-prompt"></select></label></p>
<p id="browser-summary" class="meta"></p>
${samples.truncated ? '<p class="meta">Some prompts or texts were cut to keep this file small; the journal holds everything.</p>' : ''}
<table id="browser-table"><thead><tr><th>#</th><th>verdict</th><th>reward</th><th>score</th><th>answer</th><th>text</th></tr></thead><tbody></tbody></table>
</section>
<section><h2>Plugins</h2><ul>${plugins}</ul>
<p class="meta">Reward R: <code>${escapeHtml(p.judges.reward)}</code> · selector r: <code>${escapeHtml(p.judges.selector)}</code> · data files: ${p.dataFiles.length ? p.dataFiles.map((f) => `<code>${escapeHtml(f.path)}</code> sha256 <code>${escapeHtml(f.sha256)}</code>`).join(', ') : 'none'}</p></section>
<script type="application/json" id="bonbench-results">${jsonForScript(results)}</script>
<script type="application/json" id="bonbench-samples">${jsonForScript(samples)}</script>
<script>${scriptForHtml(client)}</script>
</body></html>
`
}

/**
 * Writes `<runDir>/report.html` (or `outFile`). Runs at the end of a run and from `bench report`.
 * Returns the path written.
 */
export async function writeHtmlReport(
  runDir: string,
  results: Results,
  samples: SampleBrowserData,
  outFile = path.join(runDir, 'report.html'),
): Promise<string> {
  const [chartJs, client] = await Promise.all([readChartJs(), readClient()])
  await writeFile(outFile, renderHtml(results, samples, chartJs, client))
  return outFile
}
