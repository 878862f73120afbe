import type { CheckResult, Fact } from './types.js'

/**
 * Number formatting of the findings doc. Fixed decimals only (no locale), so the same results
 * always print the same bytes.
 */

/** `v` with fixed decimals, a negative zero (`-0.00`, a tiny negative rounded away) printed as zero. */
function fixed(v: number, digits: number): string {
  const text = v.toFixed(digits)
  return /^-0\.?0*$/.test(text) ? text.slice(1) : text
}

/** A rate in [0, 1] as a percentage: `30.8%`. */
export function pct(v: number): string {
  return `${fixed(100 * v, 1)}%`
}

/** A difference of rates in percentage points, signed: `+4.0 pp`. */
export function pp(d: number): string {
  const v = 100 * d
  const text = Math.abs(v) < 0.05 ? '0.0' : v.toFixed(1)
  return `${v > 0 && text !== '0.0' ? '+' : ''}${text} pp`
}

/** A CI of a difference in percentage points: `[+1.0, +7.3]`. */
export function ppInterval(ci: readonly [number, number]): string {
  return `[${pp(ci[0]).replace(' pp', '')}, ${pp(ci[1]).replace(' pp', '')}]`
}

/** A CI of a rate: `[28.1%, 33.5%]`. */
export function pctInterval(ci: readonly [number, number]): string {
  return `[${pct(ci[0])}, ${pct(ci[1])}]`
}

/**
 * A count (distinct answers) with two decimals, signed when `signed`; what rounds to zero prints
 * `0.00` either side (as {@link pp} prints `0.0`), never `-0.00` or `+0.00`.
 */
export function count(v: number, signed = false): string {
  const text = fixed(v, 2)
  return signed && v > 0 && text !== '0.00' ? `+${text}` : text
}

/** A p-value: `< 0.001` or three decimals. */
export function pValue(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3)
}

/** A temperature. */
export function temperature(t: number): string {
  return String(Number(t.toFixed(3)))
}

/** True when a check's differences are counts (distinct answers), not rates. */
export function isCountMetric(metric: CheckResult['metric']): boolean {
  return metric === 'distinctAtN'
}

/** A check's difference in its own units: `+4.0 pp` or `+0.85 answers`. */
export function diffText(check: Pick<CheckResult, 'metric'>, d: number): string {
  return isCountMetric(check.metric) ? `${count(d, true)} answers` : pp(d)
}

/** A check's CI in its own units. */
export function intervalText(check: Pick<CheckResult, 'metric'>, ci: readonly [number, number]): string {
  return isCountMetric(check.metric) ? `[${count(ci[0], true)}, ${count(ci[1], true)}]` : ppInterval(ci)
}

/** One check as a clause for a summary: `bon-rl-s − base, pass@8 (T=1): +6.1 pp [+2.0, +9.9], Holm p 0.004`. */
export function checkClause(check: CheckResult): string {
  return `${check.label}: ${diffText(check, check.diff)} ${intervalText(check, check.ci)}, Holm p ${pValue(check.pHolm)}`
}

/** A fact's value (and CI) as text. */
export function factText(fact: Fact): string {
  if (typeof fact.value === 'string') return fact.value
  const v = fact.value
  const ci = fact.ci
  switch (fact.unit) {
    case 'rate':
      return ci ? `${pct(v)} ${pctInterval(ci)}` : pct(v)
    case 'diff':
      return ci ? `${pp(v)} ${ppInterval(ci)}` : pp(v)
    case 'count':
      return ci ? `${count(v)} [${count(ci[0])}, ${count(ci[1])}]` : count(v)
    case 'temperature':
      return temperature(v)
    default:
      return ci ? `${fixed(v, 3)} [${fixed(ci[0], 3)}, ${fixed(ci[1], 3)}]` : fixed(v, 3)
  }
}
