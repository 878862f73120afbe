import type { CellResult } from '../plugin-api/results.js'
import { cellLabel, varyingAxes } from './cell-label.js'
import { formatKl } from './format-kl.js'
import { formatHeadline } from './headline.js'

/**
 * The terminal's divergence summary after a run: one compact line per cell whose KL was measured
 * (`eval.kl`, `train.evalEvery`) — its label, KL(π‖π_base) per token with CI, and its headline
 * metrics. Empty text when no cell has a KL, so runs without the knobs print what they did before.
 * The per-checkpoint frontier is in report.md and report.html.
 */
export function renderKlSummary(results: readonly CellResult[]): string {
  const withKl = results.filter((r) => r.kl !== undefined)
  if (withKl.length === 0) return ''
  const axes = varyingAxes(results.map((r) => r.key))
  const labels = withKl.map((r) => cellLabel(r.key, axes))
  const width = Math.max(...labels.map((l) => l.length))
  const lines = withKl.map((r, i) => `${labels[i]!.padEnd(width)}  ${formatKl(r.kl)}  ${formatHeadline(r.metrics)}`)
  return ['Divergence from the base (KL(π‖π_base) per token, nats; frontier per checkpoint in report.md):', ...lines].join('\n')
}
