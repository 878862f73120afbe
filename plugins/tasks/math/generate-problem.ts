import type { Rng } from 'bonbench'
import type { LevelSpec } from './levels.js'

/** A token of an arithmetic expression. */
type Token = number | '+' | '-' | '*' | '(' | ')'

/** One generated arithmetic problem, before it gets an id. */
export interface ArithmeticProblem {
  /** The expression as shown, e.g. `37+48*2`. */
  expression: string
  /** One line per operation, in evaluation order, e.g. `['48*2=96', '37+96=133']`. */
  steps: string[]
  answer: number
}

function drawNumber(rng: Rng, [lo, hi]: [number, number]): number {
  const digits = lo + rng.int(hi - lo + 1)
  if (digits <= 1) return 1 + rng.int(9)
  const min = 10 ** (digits - 1)
  return min + rng.int(9 * min)
}

function apply(a: number, op: Token, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b
}

/** Index of the operator to reduce next in a parenthesis-free token run: first ×, else first ±. */
function nextOperator(tokens: Token[], from: number, to: number): number {
  for (let i = from; i < to; i++) if (tokens[i] === '*') return i
  for (let i = from; i < to; i++) if (tokens[i] === '+' || tokens[i] === '-') return i
  return -1
}

/**
 * Evaluates tokens one operation at a time (innermost parentheses first, then × before ±, left to
 * right), recording each step as `a op b=c`. Returns undefined if any intermediate is negative.
 */
export function solveTokens(input: Token[]): { steps: string[]; answer: number } | undefined {
  const tokens = [...input]
  const steps: string[] = []
  while (tokens.length > 1) {
    let from = 0
    let to = tokens.length
    const close = tokens.indexOf(')')
    if (close >= 0) {
      from = tokens.lastIndexOf('(', close) + 1
      to = close
      if (to - from === 1) {
        tokens.splice(close, 1)
        tokens.splice(from - 1, 1)
        continue
      }
    }
    const i = nextOperator(tokens, from, to)
    const a = tokens[i - 1] as number
    const b = tokens[i + 1] as number
    const value = apply(a, tokens[i]!, b)
    if (value < 0) return undefined
    steps.push(`${a}${tokens[i]}${b}=${value}`)
    tokens.splice(i - 1, 3, value)
  }
  return { steps, answer: tokens[0] as number }
}

/**
 * Draws one problem of a level. Runs while the task generates its splits; deterministic in the
 * rng. Returns undefined for a draw that goes negative (the caller draws again), so every
 * answer and intermediate value is a non-negative integer.
 */
export function generateProblem(rng: Rng, spec: LevelSpec): ArithmeticProblem | undefined {
  const ops: Token[] = []
  for (let k = 0; k < spec.ops; k++) ops.push(spec.operators[rng.int(spec.operators.length)] as Token)
  const numbers = Array.from({ length: spec.ops + 1 }, (_, k) => {
    const multiplied = ops[k - 1] === '*' || ops[k] === '*'
    return drawNumber(rng, multiplied ? spec.mulDigits : spec.digits)
  })
  let wrap = -1
  if (spec.ops >= 2 && rng.next() < spec.parens) {
    const candidates = ops
      .map((op, k) => ({ op, k }))
      .filter(({ op, k }) => op !== '*' && (ops[k - 1] === '*' || ops[k - 1] === '-' || ops[k + 1] === '*'))
      .map(({ k }) => k)
    if (candidates.length > 0) wrap = candidates[rng.int(candidates.length)]!
  }
  const tokens: Token[] = []
  numbers.forEach((n, k) => {
    if (k === wrap) tokens.push('(')
    tokens.push(n)
    if (k === wrap + 1 && wrap >= 0) tokens.push(')')
    if (k < ops.length) tokens.push(ops[k]!)
  })
  const solved = solveTokens(tokens)
  if (!solved) return undefined
  return { expression: tokens.join(''), steps: solved.steps, answer: solved.answer }
}
