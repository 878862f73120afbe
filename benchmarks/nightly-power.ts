/**
 * Sizes the nightly from a finished run: for each cell and primary metric, the seed and residual
 * variance of its `values[seed][prompt]` (reports/detectable-effect.ts) and the MDE a comparison
 * would have at P prompts × S seeds with m primary tests, 80% power, α = 0.05:
 *
 *     MDE = (z(1 − α/2m) + z(0.8)) · √(2 · (σ²_seed/S + σ²_res/(S·P)))
 *
 * (both runs assumed to vary alike). Run: `npx tsx benchmarks/nightly-power.ts <run-dir> [P] [S] [m]`
 * (defaults: the nightly's 400 prompts, 4 seeds, 18 tests). Reads the run; writes nothing.
 */
import { groupCells, metricMatrix } from '../reports/groups.js'
import { mdeMultiplier } from '../reports/findings/power.js'
import { primaryMetrics, varianceParts } from '../reports/detectable-effect.js'
import { readRun } from '../core/run/run-record.js'

const [dir, P = '400', S = '4', m = '18'] = process.argv.slice(2)
if (!dir) {
  console.error('usage: npx tsx benchmarks/nightly-power.ts <run-dir> [prompts] [seeds] [tests]')
  process.exit(2)
}
const run = await readRun(dir)
const { groups } = groupCells(run.cells)
const prompts = Number(P)
const seeds = Number(S)
const multiplier = mdeMultiplier({ alpha: 0.05, power: 0.8, tests: Number(m) })
const nTrain = groups.find((g) => g.key.nTrain > 1)?.key.nTrain
const pct = (v: number) => (100 * v).toFixed(1)
console.log(`MDE at ${prompts} prompts × ${seeds} seeds, ${m} tests (multiplier ${multiplier.toFixed(3)}), in points`)
console.log(['cell', 'metric', 'mean', 'sd seed', 'sd residual', 'measured at', 'MDE'].join('\t'))
for (const g of groups) {
  for (const { metric, n, role } of primaryMetrics(g.grid, g.key.nTrain, nTrain)) {
    const values = metricMatrix(g, metric, n)
    const v = varianceParts(values)
    const mean = values.flat().reduce((s, x) => s + x, 0) / (v.seeds * v.prompts)
    const mde = multiplier * Math.sqrt(2 * (v.seedVariance / seeds + v.residualVariance / (seeds * prompts)))
    console.log(
      [
        g.label,
        `${role} (N=${n})`,
        pct(mean),
        pct(Math.sqrt(v.seedVariance)),
        pct(Math.sqrt(v.residualVariance)),
        `${v.prompts} × ${v.seeds}`,
        v.seedNoiseKnown ? pct(mde) : 'n/a (one seed)',
      ].join('\t'),
    )
  }
}
