import { bestTemperaturePerN, fitCoScaling } from '../../core/metrics/co-scaling.js'
import type { CoScalingFit } from '../../core/metrics/co-scaling.js'
import { createRng, deriveSeed } from '../../core/rng.js'
import { armMatrix, grandMean, sharedPromptIds } from './arms.js'
import type { FindingsContext, PredictionPlan } from './context.js'
import { temperature } from './format.js'
import type { Fact, Finding, Verdict } from './types.js'
import { combineVerdicts } from './verdict.js'

const title = 'Co-scaling of N and temperature'
const claim = 'pass@N follows exp(a(T)·N^b(T)) at each temperature, and the best temperature rises with N.'

/** Thresholds of the fit part (stated in the doc). */
export const fitThresholds = { goodR2: 0.95, goodRmse: 0.02, badR2: 0.8, badRmse: 0.05 }

/** Rounding can push a mean of rates a hair outside [0, 1]; the fit rejects that. */
function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v))
}

/** True when a sequence of best temperatures never falls and ends above where it started. */
export function rises(temps: readonly (number | undefined)[]): boolean {
  if (temps.some((t) => t === undefined) || temps.length < 2) return false
  for (let i = 1; i < temps.length; i++) if (temps[i]! < temps[i - 1]!) return false
  return temps[temps.length - 1]! > temps[0]!
}

function fitVerdict(fits: readonly CoScalingFit[]): Verdict {
  if (fits.length === 0) return 'not testable here'
  const t = fitThresholds
  if (fits.some((f) => f.state === 'fitted' && (f.r2 < t.badR2 || f.rmse > t.badRmse))) return 'does not hold'
  if (fits.every((f) => f.state === 'fitted' && f.r2 >= t.goodR2 && f.rmse <= t.goodRmse)) return 'holds'
  return 'inconclusive'
}

/**
 * P6, inference only, on the base model: the law fitted per temperature to the seed- and
 * prompt-pooled pass@N curve (core/metrics fitCoScaling: R² on the log(−log) scale and RMSE in
 * pass@N units), and the best temperature per N from the fitted laws (bestTemperaturePerN), with
 * the share of two-level bootstrap replicates (prompts shared across temperatures, seeds per
 * temperature) in which it rises. Plans no Holm-tested checks.
 */
export function planP6(ctx: FindingsContext): PredictionPlan {
  const bases = ctx.arms.filter((a) => a.strategy === 'base').sort((x, y) => x.temperature - y.temperature)
  const t = fitThresholds
  const method =
    'On the base model at every temperature of the run: pass@N pooled over seeds and prompts, fitted as pass@N ≈ exp(a·N^b) by least squares on ' +
    `log(−log pass@N). The law fits when every temperature has R² ≥ ${t.goodR2} and RMSE ≤ ${100 * t.goodRmse} pp, and fails when one has R² < ${t.badR2} ` +
    `or RMSE > ${100 * t.badRmse} pp. The best temperature for each N is the one whose fitted law predicts the highest pass@N; it rises when it never falls ` +
    `along the grid and ends higher than it starts. That part holds when it rises in at least 95% of ${ctx.resamples} bootstrap replicates ` +
    '(prompts resampled jointly across temperatures, seeds per temperature, laws refitted) and fails when it rises in at most 5%. P6 holds when both parts do.'
  const decide = (): Finding => {
    const base = { id: 'P6' as const, title, claim, method, evidence: [], mde: null }
    if (bases.length === 0) return { ...base, verdict: 'not testable here', summary: 'The run has no base model.', facts: [], notes: [] }
    const prompts = sharedPromptIds(...bases)
    const grid = ctx.grid.filter((n) => bases.every((b) => b.grid.includes(n)))
    const matrices = bases.map((b) => grid.map((n) => armMatrix(b, 'passAtN', n, prompts)))
    const curves = matrices.map((perN) => perN.map((m) => clamp01(grandMean(m))))
    const fits = curves.map((curve) => fitCoScaling(grid.map((n, i) => ({ n, passAtN: curve[i]! }))))
    const facts: Fact[] = []
    bases.forEach((b, i) => {
      const f = fits[i]!
      const at = `T=${temperature(b.temperature)}`
      if (f.state === 'degenerate') facts.push({ label: `fit at ${at}`, value: `none: ${f.reason}`, unit: 'plain' })
      else {
        facts.push({
          label: `fit at ${at}: a, b`,
          value: `a = ${f.a.toFixed(3)}, b = ${f.b.toFixed(3)} (${f.used} points, ${f.skipped} skipped)`,
          unit: 'plain',
        })
        facts.push({ label: `fit at ${at}: R²`, value: f.r2, unit: 'plain' })
        facts.push({ label: `fit at ${at}: RMSE`, value: `${(100 * f.rmse).toFixed(2)} pp`, unit: 'plain' })
      }
    })
    const vFit = fitVerdict(fits)
    const fitText = fits
      .map(
        (f, i) => `T=${temperature(bases[i]!.temperature)}: ${f.state === 'fitted' ? `R² ${f.r2.toFixed(3)}, RMSE ${(100 * f.rmse).toFixed(2)} pp` : 'no fit'}`,
      )
      .join('; ')
    if (bases.length < 2) {
      return {
        ...base,
        verdict: combineVerdicts([vFit, 'not testable here']),
        summary: `Fit: ${vFit} (${fitText}). Best T: not testable here — the run has one temperature.`,
        facts,
        notes: [],
      }
    }
    const temps = bases.map((b) => b.temperature)
    const best = bestTemperaturePerN(
      fits.map((fit, i) => ({ temperature: temps[i]!, fit })),
      grid,
    )
    const measured = grid.map((_, j) => temps[curves.reduce((k, c, i) => (c[j]! > curves[k]![j]! ? i : k), 0)]!)
    grid.forEach((n, j) => {
      facts.push({
        label: `best T at N=${n} (fitted law; measured)`,
        value: `${best[j]!.temperature === undefined ? '—' : temperature(best[j]!.temperature!)}; ${temperature(measured[j]!)}`,
        unit: 'plain',
      })
    })
    const share = bootstrapRiseShare(matrices, temps, grid, ctx)
    const pointRises = rises(best.map((b) => b.temperature))
    const vBest: Verdict = share >= 0.95 ? 'holds' : share <= 0.05 ? 'does not hold' : 'inconclusive'
    facts.push({ label: 'bootstrap replicates in which the best T rises', value: `${(100 * share).toFixed(1)}%`, unit: 'plain' })
    const summary =
      `Fit: ${vFit} (${fitText}). Best T by N (${grid.join(', ')}): ${best.map((b) => (b.temperature === undefined ? '—' : temperature(b.temperature))).join(', ')} — ` +
      `${pointRises ? 'rises' : 'does not rise'}, in ${(100 * share).toFixed(1)}% of bootstrap replicates: ${vBest}.`
    return { ...base, verdict: combineVerdicts([vFit, vBest]), summary, facts, notes: [] }
  }
  return { checks: [], decide }
}

/** Share of two-level bootstrap replicates whose refitted best temperature rises with N. Seeded. */
function bootstrapRiseShare(matrices: number[][][][], temps: number[], grid: number[], ctx: FindingsContext): number {
  const rng = createRng(deriveSeed(ctx.seed, 'P6', 'rise'))
  const P = matrices[0]![0]![0]!.length
  const weights = new Float64Array(P)
  let hits = 0
  for (let r = 0; r < ctx.resamples; r++) {
    weights.fill(0)
    for (let i = 0; i < P; i++) weights[rng.int(P)]++
    const fits = matrices.map((perN, k) => {
      const S = perN[0]!.length
      const seeds = Array.from({ length: S }, () => rng.int(S))
      const points = grid.map((n, j) => {
        let s = 0
        for (const seed of seeds) {
          const row = perN[j]![seed]!
          for (let p = 0; p < P; p++) if (weights[p] !== 0) s += weights[p]! * row[p]!
        }
        return { n, passAtN: clamp01(s / (S * P)) }
      })
      return { temperature: temps[k]!, fit: fitCoScaling(points) }
    })
    if (rises(bestTemperaturePerN(fits, grid).map((b) => b.temperature))) hits++
  }
  return hits / ctx.resamples
}
