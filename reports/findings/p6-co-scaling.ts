import { coScalingPredict, fitCoScaling } from '../../core/metrics/co-scaling.js'
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

/**
 * True when a sequence of best temperatures never falls and ends above where it started; undefined
 * (undecided) when some N has no best temperature.
 */
export function rises(temps: readonly (number | undefined)[]): boolean | undefined {
  if (temps.some((t) => t === undefined)) return undefined
  if (temps.length < 2) return false
  for (let i = 1; i < temps.length; i++) if (temps[i]! < temps[i - 1]!) return false
  return temps[temps.length - 1]! > temps[0]!
}

/**
 * The best temperature at each N of `grid`: the one with the highest pass@N, from its fitted law,
 * or from its measured pass@N (`curves[k][j]`) where no law could be fitted — a curve at 0 or 1
 * almost everywhere, such as a temperature that solves every prompt, which is then the best rather
 * than dropped. undefined at an N where several temperatures share the top (all solve every prompt,
 * say): no best temperature there. Pure.
 */
export function bestTemperatures(
  temps: readonly number[],
  fits: readonly CoScalingFit[],
  curves: readonly (readonly number[])[],
  grid: readonly number[],
): (number | undefined)[] {
  return grid.map((n, j) => {
    const values = fits.map((fit, k) => (fit.state === 'fitted' ? coScalingPredict(fit, n) : curves[k]![j]!))
    const top = Math.max(...values)
    const at = values.flatMap((v, k) => (v === top ? [k] : []))
    return at.length === 1 ? temps[at[0]!] : undefined
  })
}

function fitVerdict(fits: readonly CoScalingFit[]): Verdict {
  // No temperature with a law to judge (every curve at 0 or 1): the fit part cannot be tested.
  if (fits.every((f) => f.state !== 'fitted')) return 'not testable here'
  const t = fitThresholds
  if (fits.some((f) => f.state === 'fitted' && (f.r2 < t.badR2 || f.rmse > t.badRmse))) return 'does not hold'
  if (fits.every((f) => f.state === 'fitted' && f.r2 >= t.goodR2 && f.rmse <= t.goodRmse)) return 'holds'
  return 'inconclusive'
}

/**
 * P6, inference only, on the base model: the law fitted per temperature to the seed- and
 * prompt-pooled pass@N curve (core/metrics fitCoScaling: R² on the log(−log) scale and RMSE in
 * pass@N units), and the best temperature per N from the fitted laws ({@link bestTemperatures}),
 * with the share of two-level bootstrap replicates (prompts shared across temperatures, seeds per
 * temperature) in which it rises. Plans no Holm-tested checks.
 */
export function planP6(ctx: FindingsContext): PredictionPlan {
  const bases = ctx.arms.filter((a) => a.strategy === 'base').sort((x, y) => x.temperature - y.temperature)
  const t = fitThresholds
  const method =
    'On the base model at every temperature of the run: pass@N pooled over seeds and prompts, fitted as pass@N ≈ exp(a·N^b) by least squares on ' +
    `log(−log pass@N). The law fits when every temperature has R² ≥ ${t.goodR2} and RMSE ≤ ${100 * t.goodRmse} pp, and fails when one has R² < ${t.badR2} ` +
    `or RMSE > ${100 * t.badRmse} pp. The best temperature for each N is the one whose fitted law predicts the highest pass@N (a temperature without a law, ` +
    'its curve at 0 or 1, counts at its measured pass@N; where temperatures tie at the top that N has none); it rises when it never falls ' +
    `along the grid and ends higher than it starts. That part holds when it rises in at least 95% of ${ctx.resamples} bootstrap replicates ` +
    '(prompts resampled jointly across temperatures, seeds per temperature, laws refitted) and fails when it does not rise in at least 95% of the replicates (a replicate ' +
    'with an N without a best temperature counts as neither); it is not testable when the estimate itself lacks a best temperature at some N. ' +
    'P6 holds when both parts do; a part the run cannot test leaves P6 not testable here (the summary gives the other part’s verdict).'
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
    const best = bestTemperatures(temps, fits, curves, grid)
    const measured = grid.map((_, j) => temps[curves.reduce((k, c, i) => (c[j]! > curves[k]![j]! ? i : k), 0)]!)
    grid.forEach((n, j) => {
      facts.push({
        label: `best T at N=${n} (fitted law; measured)`,
        value: `${best[j] === undefined ? '—' : temperature(best[j]!)}; ${temperature(measured[j]!)}`,
        unit: 'plain',
      })
    })
    const bestText = `Best T by N (${grid.join(', ')}): ${best.map((b) => (b === undefined ? '—' : temperature(b))).join(', ')}`
    const undefinedAt = grid.filter((_, j) => best[j] === undefined)
    if (undefinedAt.length > 0) {
      // Without a best T at every N of the estimate itself, whether it rises is not a question the run can answer.
      return {
        ...base,
        verdict: combineVerdicts([vFit, 'not testable here']),
        summary:
          `Fit: ${vFit} (${fitText}). ${bestText} — not testable here: at N=${undefinedAt.join(', ')} ` +
          'no temperature is alone at the top (temperatures tie, e.g. all solve every prompt).',
        facts,
        notes: [],
      }
    }
    const tally = bootstrapRiseTally(matrices, temps, grid, ctx)
    const share = tally.rise / ctx.resamples
    const pointRises = rises(best)
    const vBest: Verdict = share >= 0.95 ? 'holds' : tally.fall / ctx.resamples >= 0.95 ? 'does not hold' : 'inconclusive'
    const undecided = ctx.resamples - tally.rise - tally.fall
    const undecidedText = undecided > 0 ? ` (${((100 * undecided) / ctx.resamples).toFixed(1)}% undecided: no best T at some N)` : ''
    facts.push({ label: 'bootstrap replicates in which the best T rises', value: `${(100 * share).toFixed(1)}%${undecidedText}`, unit: 'plain' })
    const summary =
      `Fit: ${vFit} (${fitText}). ${bestText} — ` +
      `${pointRises ? 'rises' : 'does not rise'}, in ${(100 * share).toFixed(1)}% of bootstrap replicates${undecidedText}: ${vBest}.`
    return { ...base, verdict: combineVerdicts([vFit, vBest]), summary, facts, notes: [] }
  }
  return { checks: [], decide }
}

/**
 * Two-level bootstrap replicates whose refitted best temperature rises with N (`rise`), does not
 * (`fall`), or is undecided (some N without a best T: counted in neither). Seeded.
 */
function bootstrapRiseTally(matrices: number[][][][], temps: number[], grid: number[], ctx: FindingsContext): { rise: number; fall: number } {
  const rng = createRng(deriveSeed(ctx.seed, 'P6', 'rise'))
  const P = matrices[0]![0]![0]!.length
  const weights = new Float64Array(P)
  let rise = 0
  let fall = 0
  for (let r = 0; r < ctx.resamples; r++) {
    weights.fill(0)
    for (let i = 0; i < P; i++) weights[rng.int(P)]++
    const curves = matrices.map((perN) => {
      const S = perN[0]!.length
      const seeds = Array.from({ length: S }, () => rng.int(S))
      return grid.map((_, j) => {
        let s = 0
        for (const seed of seeds) {
          const row = perN[j]![seed]!
          for (let p = 0; p < P; p++) if (weights[p] !== 0) s += weights[p]! * row[p]!
        }
        return clamp01(s / (S * P))
      })
    })
    const fits = curves.map((curve) => fitCoScaling(grid.map((n, j) => ({ n, passAtN: curve[j]! }))))
    const verdict = rises(bestTemperatures(temps, fits, curves, grid))
    if (verdict === true) rise++
    else if (verdict === false) fall++
  }
  return { rise, fall }
}
