import { normalizeAnswer, splitAnswerList } from './normalize-answer.js'
import { parseRational } from './rational.js'

/** How `answersMatch` compares. */
export interface MatchOptions {
  /** Relative tolerance for numbers (default 0: exact rational equality). */
  tolerance?: number
}

function numbersMatch(a: string, b: string, tolerance: number): boolean {
  const x = parseRational(a)
  const y = parseRational(b)
  if (!x || !y) return false
  if (x.num === y.num && x.den === y.den) return true
  if (tolerance <= 0) return false
  const u = Number(x.num) / Number(x.den)
  const v = Number(y.num) / Number(y.den)
  return Math.abs(u - v) <= tolerance * Math.max(Math.abs(u), Math.abs(v))
}

function scalarsMatch(a: string, b: string, tolerance: number): boolean {
  return a === b || numbersMatch(a, b, tolerance)
}

/** Matches two lists of normalised elements: in order, or as multisets when `unordered`. */
function listsMatch(a: string[], b: string[], unordered: boolean, tolerance: number): boolean {
  if (a.length !== b.length) return false
  if (!unordered) return a.every((item, i) => scalarsMatch(item, b[i]!, tolerance))
  const left = [...b]
  for (const item of a) {
    const k = left.findIndex((other) => scalarsMatch(item, other, tolerance))
    if (k < 0) return false
    left.splice(k, 1)
  }
  return true
}

/**
 * True when two answers are equal after normalisation (see `normalizeAnswer`): equal canonical
 * text, equal rationals (exact, or within `tolerance`), or tuples/intervals equal element-wise with
 * the same brackets (bare comma lists, like sets of roots, match in any order). Pure; symmetric.
 */
export function answersMatch(a: string, b: string, options: MatchOptions = {}): boolean {
  return normalizedAnswersMatch(normalizeAnswer(a), normalizeAnswer(b), options)
}

/** {@link answersMatch} on answers already normalised by `normalizeAnswer` (grading normalises each once). */
export function normalizedAnswersMatch(na: string, nb: string, options: MatchOptions = {}): boolean {
  const tolerance = options.tolerance ?? 0
  if (scalarsMatch(na, nb, tolerance)) return true
  const la = splitAnswerList(na)
  const lb = splitAnswerList(nb)
  if (!la || !lb || la.open !== lb.open || la.close !== lb.close) return false
  return listsMatch(la.items, lb.items, la.open === '', tolerance)
}
