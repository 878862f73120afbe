import { BenchError } from '../errors.js'

/** One measured point of a pass@N curve (one temperature). */
export interface CoScalingPoint {
  n: number
  passAtN: number
}

/**
 * A fit of pass@N ≈ exp(a·N^b) (DESIGN §2.3 co-scaling; a < 0 and b < 0 for a rising curve), or
 * why there is none. Points with pass@N of exactly 0 or 1 carry no information on the log(−log)
 * scale and are skipped; fewer than two usable points (with different N) give `degenerate`.
 */
export type CoScalingFit =
  | {
      state: 'fitted'
      a: number
      b: number
      /** R² of the straight-line fit log(−log pass@N) = log(−a) + b·log N. */
      r2: number
      /** Root-mean-square error of the fitted curve against the used points, in pass@N units. */
      rmse: number
      used: number
      skipped: number
    }
  | { state: 'degenerate'; reason: string; used: number; skipped: number }

/**
 * Fits pass@N ≈ exp(a·N^b) by least squares on the linearised form
 * log(−log pass@N) = log(−a) + b·log N. Runs after a temperature's pass@N curve is computed;
 * deterministic. Throws BENCH_USAGE for N < 1 or pass@N outside [0, 1].
 */
export function fitCoScaling(points: readonly CoScalingPoint[]): CoScalingFit {
  const xs: number[] = []
  const ys: number[] = []
  const kept: CoScalingPoint[] = []
  for (const p of points) {
    if (!(p.n >= 1) || !(p.passAtN >= 0 && p.passAtN <= 1)) {
      throw new BenchError('BENCH_USAGE', `fitCoScaling: each point needs N ≥ 1 and pass@N in [0, 1] (got N = ${p.n}, pass@N = ${p.passAtN})`)
    }
    if (p.passAtN <= 0 || p.passAtN >= 1) continue
    xs.push(Math.log(p.n))
    ys.push(Math.log(-Math.log(p.passAtN)))
    kept.push(p)
  }
  const skipped = points.length - kept.length
  const m = xs.length
  const mx = xs.reduce((s, x) => s + x, 0) / m
  const my = ys.reduce((s, y) => s + y, 0) / m
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < m; i++) {
    sxx += (xs[i]! - mx) ** 2
    sxy += (xs[i]! - mx) * (ys[i]! - my)
    syy += (ys[i]! - my) ** 2
  }
  if (m < 2 || sxx === 0) {
    return { state: 'degenerate', reason: 'needs at least two points with different N and 0 < pass@N < 1', used: m, skipped }
  }
  const b = sxy / sxx
  const a = -Math.exp(my - b * mx)
  let sse = 0
  let pathSse = 0
  for (let i = 0; i < m; i++) {
    sse += (ys[i]! - (my + b * (xs[i]! - mx))) ** 2
    pathSse += (kept[i]!.passAtN - Math.exp(a * kept[i]!.n ** b)) ** 2
  }
  const r2 = syy === 0 ? 1 : 1 - sse / syy
  return { state: 'fitted', a, b, r2, rmse: Math.sqrt(pathSse / m), used: m, skipped }
}

/** pass@N predicted by a fitted co-scaling law at any N ≥ 1. */
export function coScalingPredict(fit: { a: number; b: number }, n: number): number {
  return Math.exp(fit.a * n ** fit.b)
}

/**
 * For each N of `ns`, the temperature whose fitted law predicts the highest pass@N. Degenerate fits
 * are ignored; an N with none fitted gets `temperature: undefined`. Not the findings' P6 rule
 * (reports/findings/p6-co-scaling.ts `bestTemperatures`: an unfitted temperature counts at its
 * measured pass@N, and a tie gives no best T), nor results.json's measured table (reports/charts.ts).
 */
export function bestTemperaturePerN(
  fits: readonly { temperature: number; fit: CoScalingFit }[],
  ns: readonly number[],
): { n: number; temperature: number | undefined; predicted: number }[] {
  return ns.map((n) => {
    let best: { n: number; temperature: number | undefined; predicted: number } = { n, temperature: undefined, predicted: Number.NaN }
    for (const { temperature, fit } of fits) {
      if (fit.state !== 'fitted') continue
      const predicted = coScalingPredict(fit, n)
      if (best.temperature === undefined || predicted > best.predicted) best = { n, temperature, predicted }
    }
    return best
  })
}
