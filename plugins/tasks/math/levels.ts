/**
 * One difficulty level of the synthetic `math` task. These are the knobs that move the base
 * model's pass rate: more operations, more digits and × with bigger operands are harder for a tiny
 * char-level transformer; parentheses force a non-left-to-right order.
 */
export interface LevelSpec {
  /** Binary operations per problem (1 → `a+b`, 3 → `a+b*c-d`). */
  ops: number
  /** Digit count range [min, max] of operands of + and −. */
  digits: [number, number]
  /** Digit count range [min, max] of operands of × (each side). */
  mulDigits: [number, number]
  /** Operators drawn uniformly from this string: any of `+`, `-`, `*`. */
  operators: string
  /** Probability of wrapping one + or − (next to a × or after a −) in parentheses; needs ops ≥ 2. */
  parens: number
}

/**
 * The built-in levels, easiest first. Level 1 is single-step addition/subtraction of small numbers
 * (a few minutes of pretraining solves it nearly always); level 5 chains three operations on
 * two-digit numbers with two-digit products (rarely or never solved). Override any field per
 * level with the task's `levelSpecs` option, e.g. `{ 5: { ops: 4 } }`.
 */
export const defaultLevels: Readonly<Record<number, LevelSpec>> = Object.freeze({
  1: { ops: 1, digits: [1, 2], mulDigits: [1, 1], operators: '+-', parens: 0 },
  2: { ops: 1, digits: [2, 3], mulDigits: [1, 2], operators: '+-*', parens: 0 },
  3: { ops: 2, digits: [1, 2], mulDigits: [1, 1], operators: '+-*', parens: 0.3 },
  4: { ops: 3, digits: [1, 2], mulDigits: [1, 1], operators: '+-*', parens: 0.3 },
  5: { ops: 3, digits: [2, 2], mulDigits: [1, 2], operators: '+-*', parens: 0.5 },
})

/**
 * Merges per-level overrides into the built-in table. A level outside the table must be given in
 * full; returns undefined when it is not (the factory turns that into an options error).
 */
export function resolveLevel(level: number, overrides: Record<string, Partial<LevelSpec>> = {}): LevelSpec | undefined {
  const merged = { ...defaultLevels[level], ...overrides[String(level)] }
  const { ops, digits, mulDigits, operators, parens } = merged
  if (ops === undefined || !digits || !mulDigits || operators === undefined || parens === undefined) return undefined
  return { ops, digits: [digits[0], digits[1]], mulDigits: [mulDigits[0], mulDigits[1]], operators, parens }
}
