import { readBraceGroup } from './latex-group.js'

/** An exact rational number: `num / den` in lowest terms, `den > 0`. */
export interface Rational {
  num: bigint
  den: bigint
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a
  b = b < 0n ? -b : b
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

/** Builds a reduced rational; undefined for a zero denominator. */
export function rational(num: bigint, den: bigint): Rational | undefined {
  if (den === 0n) return undefined
  if (den < 0n) [num, den] = [-num, -den]
  const g = gcd(num, den) || 1n
  return { num: num / g, den: den / g }
}

function add(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den + b.num * a.den, a.den * b.den)!
}

function divide(a: Rational, b: Rational): Rational | undefined {
  return rational(a.num * b.den, a.den * b.num)
}

function parseDecimal(s: string): Rational | undefined {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(s)
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined
  const digits = (m[2] ?? '') + (m[3] ?? '')
  const value = rational(BigInt(digits === '' ? '0' : digits), 10n ** BigInt((m[3] ?? '').length))!
  return m[1] === '-' ? { num: -value.num, den: value.den } : value
}

/** Reads `\frac{a}{b}` exactly spanning `s` (a and b rational); undefined otherwise. */
function parseFrac(s: string): Rational | undefined {
  if (!s.startsWith('\\frac{')) return undefined
  const top = readBraceGroup(s, 5)
  if (!top) return undefined
  const bottom = readBraceGroup(s, top.end)
  if (!bottom || bottom.end !== s.length) return undefined
  const a = parseRational(top.content)
  const b = parseRational(bottom.content)
  return a && b ? divide(a, b) : undefined
}

/**
 * Parses a normalised answer that is a plain rational number: an integer, a decimal, `a/b`,
 * `\frac{a}{b}` (with a sign in front or inside), or a mixed number `3\frac{1}{4}` (= 3¼, the MATH
 * convention). Runs during normalisation; exact (BigInt), undefined for anything else.
 */
export function parseRational(s: string): Rational | undefined {
  if (s === '') return undefined
  const decimal = parseDecimal(s)
  if (decimal) return decimal
  const sign = s[0] === '-' ? -1n : 1n
  const body = s[0] === '-' || s[0] === '+' ? s.slice(1) : s
  if (body.startsWith('-') || body.startsWith('+')) return undefined
  let value: Rational | undefined
  const slash = /^([\d.]+)\/([\d.]+)$/.exec(body)
  if (slash) {
    const a = parseDecimal(slash[1]!)
    const b = parseDecimal(slash[2]!)
    value = a && b ? divide(a, b) : undefined
  } else if (body.startsWith('\\frac{')) {
    value = parseFrac(body)
  } else {
    const mixed = /^(\d+)(\\frac\{\d+\}\{\d+\})$/.exec(body)
    if (mixed) {
      const part = parseFrac(mixed[2]!)
      if (part && part.num < part.den) value = add({ num: BigInt(mixed[1]!), den: 1n }, part)
    }
  }
  return value && { num: sign * value.num, den: value.den }
}

/**
 * The canonical text of a rational: an integer, a terminating decimal (`0.5`, `37.5`), or `p/q`.
 * Equal numbers give equal text, so majority vote groups `0.5`, `\frac{1}{2}` and `1/2` together.
 */
export function formatRational(r: Rational): string {
  if (r.den === 1n) return r.num.toString()
  let d = r.den
  let twos = 0
  let fives = 0
  while (d % 2n === 0n) [d, twos] = [d / 2n, twos + 1]
  while (d % 5n === 0n) [d, fives] = [d / 5n, fives + 1]
  if (d !== 1n) return `${r.num}/${r.den}`
  const places = Math.max(twos, fives)
  const scaled = (r.num * 10n ** BigInt(places)) / r.den
  const negative = scaled < 0n
  const digits = (negative ? -scaled : scaled).toString().padStart(places + 1, '0')
  return `${negative ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`
}

/** True when two rationals are equal. */
export function rationalEquals(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den
}
