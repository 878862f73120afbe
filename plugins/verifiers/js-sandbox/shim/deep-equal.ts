import {
  DateCtor,
  entriesOf,
  getPrototypeOf,
  isArray,
  MapCtor,
  objectIs,
  objectKeys,
  owns,
  RegExpCtor,
  SetCtor,
  StringCtor,
  timeOf,
  valuesOf,
} from './intrinsics.js'

/** Pairs already under comparison (cycles compare equal once they meet again). */
export type SeenPairs = Array<[object, object]>

/**
 * node:assert's deep equality, for the values HumanEval tests compare: `strict` is
 * deepStrictEqual (Object.is on primitives, same prototypes), else deepEqual (`==` on
 * primitives, NaN equals NaN). Compares Dates by time, RegExps by source and flags, Maps by
 * entries (keys by identity), Sets by membership, and other objects by own enumerable keys.
 */
export function isDeepEqual(a: unknown, b: unknown, strict: boolean, seen: SeenPairs): boolean {
  if (strict ? objectIs(a, b) : a == b || (a !== a && b !== b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return !strict && typeof a !== 'object' && typeof b !== 'object' ? a == b : false
  }
  if (strict && getPrototypeOf(a) !== getPrototypeOf(b)) return false
  if (isArray(a) !== isArray(b)) return false
  for (let i = 0; i < seen.length; i++) if (seen[i]![0] === a && seen[i]![1] === b) return true
  seen[seen.length] = [a, b]
  if (a instanceof DateCtor && b instanceof DateCtor) {
    if (timeOf(a) !== timeOf(b)) return false
  } else if (a instanceof RegExpCtor && b instanceof RegExpCtor) {
    if (StringCtor(a) !== StringCtor(b)) return false
  } else if (a instanceof MapCtor && b instanceof MapCtor) {
    if (a.size !== b.size) return false
    for (const [k, v] of entriesOf(a)) {
      if (!b.has(k) || !isDeepEqual(v, b.get(k), strict, seen)) return false
    }
    return true
  } else if (a instanceof SetCtor && b instanceof SetCtor) {
    if (a.size !== b.size) return false
    for (const v of valuesOf(a)) if (!b.has(v)) return false
    return true
  }
  if (isArray(a) && a.length !== (b as unknown[]).length) return false
  const ka = objectKeys(a)
  const kb = objectKeys(b)
  if (ka.length !== kb.length) return false
  const ra = a as Record<string, unknown>
  const rb = b as Record<string, unknown>
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!
    if (!owns(b, k) || !isDeepEqual(ra[k], rb[k], strict, seen)) return false
  }
  return true
}
