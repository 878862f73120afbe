import { BenchError } from '../core/errors.js'

/** What a numeric flag accepts: a test and the range in words, as every error states it. */
export interface NumberRule {
  /** The allowed values in words, e.g. `an integer ≥ 1` or `in (0, 10]`. */
  range: string
  test(n: number): boolean
  /** Extra words for a rejected value that has a reason of its own (e.g. temperature 0). */
  explain?(n: number): string | undefined
}

/** Integers ≥ `min`. */
export function integerAtLeast(min: number): NumberRule {
  return { range: `an integer ≥ ${min}`, test: (n) => Number.isInteger(n) && n >= min }
}

/** Numbers strictly between 0 and 1 (α, power). */
export const openUnit: NumberRule = { range: 'a number in (0, 1)', test: (n) => n > 0 && n < 1 }

/** Numbers ≥ 0. */
export const nonNegative: NumberRule = { range: 'a number ≥ 0', test: (n) => n >= 0 }

/** Numbers > 0. */
export const positive: NumberRule = { range: 'a number > 0', test: (n) => n > 0 }

/** Any finite number. */
export const finite: NumberRule = { range: 'a number', test: () => true }

/** The largest sampling temperature a flag or config accepts. */
export const MAX_TEMPERATURE = 10

/**
 * Sampling temperatures: (0, 10]. 0 is refused, as in the config schema: greedy decoding draws one
 * completion N times, so a pool holds no choice for Best-of-N and every metric equals pass@1.
 */
export const temperature: NumberRule = {
  range: `in (0, ${MAX_TEMPERATURE}]`,
  test: (n) => n > 0 && n <= MAX_TEMPERATURE,
  explain: (n) =>
    n === 0
      ? 'T = 0 is greedy decoding: all N samples of a pool would be the same completion, so Best-of-N has nothing to choose; use a small T such as 0.1 for near-greedy sampling'
      : undefined,
}

function usage(flag: string, subject: string, rule: NumberRule, got: string, n?: number): BenchError {
  const why = n === undefined ? undefined : rule.explain?.(n)
  return new BenchError('BENCH_USAGE', `${flag}: ${subject} must be ${rule.range} (got ${got})${why ? `. ${why}` : ''}`)
}

/** One number: `undefined` stays undefined; a bad value is a usage error naming the flag and the range. */
export function toNumber(value: string | undefined, flag: string, rule: NumberRule, subject = 'the value'): number | undefined {
  if (value === undefined) return undefined
  const n = value.trim() === '' ? Number.NaN : Number(value)
  if (!Number.isFinite(n)) throw usage(flag, subject, rule, `'${value}'`)
  if (!rule.test(n)) throw usage(flag, subject, rule, String(n), n)
  return n
}

/** A commander parser of one number passing `rule`: `--steps: steps must be an integer ≥ 0 (got -1)`. */
export function numberFlag(flag: string, rule: NumberRule, subject = 'the value') {
  return (value: string): number => toNumber(value, flag, rule, subject)!
}

/**
 * A commander parser of a comma-separated list, each item passing `rule`:
 * `--n: each N must be an integer ≥ 1 (got 0)`.
 */
export function numberListFlag(flag: string, noun: string, rule: NumberRule) {
  return (value: string): number[] => {
    const items = value.split(',').map((s) => s.trim())
    if (items.every((s) => s === ''))
      throw new BenchError('BENCH_USAGE', `${flag}: give comma-separated values, each ${rule.range}, such as 1,2,4 (got '${value}')`)
    return items.filter(Boolean).map((item) => toNumber(item, flag, rule, `each ${noun}`)!)
  }
}

/** Parses `a,b` into strings. */
export function parseStringList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/** A commander parser that accepts one of `choices`, else a usage error listing them. */
export function choiceFlag<T extends string>(flag: string, choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value))
      throw new BenchError('BENCH_USAGE', `${flag}: unknown value '${value}'; use one of ${choices.join(', ')}`)
    return value as T
  }
}
