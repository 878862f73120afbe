import { formatKlValue } from '../core/summary/format-kl.js'
import { frontierContexts } from './frontier-charts.js'
import { fmtEstimate, mdCell, table } from './markdown-cells.js'
import type { Estimate, Results } from './results-schema.js'
import { labelWithSelection } from './selection-label.js'

function klCell(kl: Estimate | null, absent: string | undefined): string {
  if (!kl) return mdCell(`absent${absent ? ` (${absent})` : ''}`)
  return `${formatKlValue(kl.value)} [${formatKlValue(kl.ci[0])}, ${formatKlValue(kl.ci[1])}]`
}

/**
 * The "Divergence frontier" section of report.md: per (task, model, T), one row per arm and
 * checkpoint step (the base first, at step 0), with KL(π‖π_base) per token and pass@1, pass@N and
 * Bo-N at the headline N (the largest N every arm reports), each with its CI. Empty text when the
 * run measured no KL (no `train.evalEvery`, no `eval.kl`).
 */
export function frontierSection(results: Results): string {
  const contexts = frontierContexts(results.groups)
  if (contexts.length === 0) return ''
  const level = Math.round(results.settings.level * 100)
  const tables = contexts.map(({ title, groups, n }) => {
    const header = ['strategy', 'step', 'KL/token (nats)', 'pass@1', ...(n > 1 ? [`pass@${n}`] : []), `Bo-${n}`]
    const rows = groups.flatMap((g) => {
      const at = g.grid.indexOf(n)
      return (g.frontier ?? []).map((p) => [
        mdCell(labelWithSelection(results, g)),
        String(p.step),
        klCell(p.kl, p.klAbsent),
        fmtEstimate(p.pass1),
        ...(n > 1 ? [fmtEstimate(p.passAtN[at]!)] : []),
        fmtEstimate(p.bestOfN[at]!),
      ])
    })
    return `### ${mdCell(title)}\n\n${table(header, rows)}`
  })
  return `## Divergence frontier

Each arm at every checkpoint evaluation (\`train.evalEvery\`) and at its final step, against KL(π‖π_base) per token: for samples y ~ π(·|x) at T = 1 on the test prompts, Σ[log π(y|x) − log π_base(y|x)] / Σ|y| per prompt (the sequence-level Monte Carlo estimate over the mean length), averaged over prompts; ${level}% CIs by bootstrap over seeds and prompts. The base is exactly 0. Metrics in percent.

${tables.join('\n\n')}

`
}
