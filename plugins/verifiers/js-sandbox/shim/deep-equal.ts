import {
  entriesOf,
  getPrototypeOf,
  isArray,
  isDate,
  isMap,
  isRegExp,
  isSet,
  mapGetKey,
  mapHasKey,
  mapSizeOf,
  nextOfMapIterator,
  nextOfSetIterator,
  objectIs,
  objectKeys,
  owns,
  regExpText,
  setHasValue,
  setSizeOf,
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
 *
 * What a value is (Date, RegExp, Map, Set) is decided by its internal slots, as node:assert does,
 * never by `instanceof` (a candidate can give a constructor its own Symbol.hasInstance); sizes,
 * lookups and iteration go through the built-ins captured in intrinsics.ts, never through
 * `a.size`, `b.has`, `for…of` or destructuring, which a candidate could patch on the prototypes
 * (Set.prototype.has, %MapIteratorPrototype%.next, %ArrayIteratorPrototype%.next) to make
 * different values compare equal. A Date, RegExp, Map or Set equals only another of its kind.
 */
export function isDeepEqual(a: unknown, b: unknown, strict: boolean, seen: SeenPairs): boolean {
  if (strict ? objectIs(a, b) : a == b || (a !== a && b !== b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return !strict && typeof a !== 'object' && typeof b !== 'object' ? a == b : false
  }
  if (strict && getPrototypeOf(a) !== getPrototypeOf(b)) return false
  const arrays = isArray(a)
  if (arrays !== isArray(b)) return false
  for (let i = 0; i < seen.length; i++) if (seen[i]![0] === a && seen[i]![1] === b) return true
  seen[seen.length] = [a, b]
  if (!arrays) {
    const date = isDate(a)
    if (date !== isDate(b)) return false
    if (date) {
      if (timeOf(a as Date) !== timeOf(b as Date)) return false
    } else {
      const regexp = isRegExp(a)
      if (regexp !== isRegExp(b)) return false
      if (regexp) {
        if (regExpText(a) !== regExpText(b)) return false
      } else {
        const map = isMap(a)
        if (map !== isMap(b)) return false
        if (map) return mapsEqual(a, b, strict, seen)
        const set = isSet(a)
        if (set !== isSet(b)) return false
        if (set) return setsEqual(a, b)
      }
    }
  }
  if (arrays && (a as unknown[]).length !== (b as unknown[]).length) return false
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

function mapsEqual(a: object, b: object, strict: boolean, seen: SeenPairs): boolean {
  if (mapSizeOf(a) !== mapSizeOf(b)) return false
  const it = entriesOf(a as Map<unknown, unknown>)
  for (;;) {
    const step = nextOfMapIterator(it)
    if (step.done) return true
    // A fresh [key, value] array made by V8: own index properties, read without iteration.
    const entry = step.value as [unknown, unknown]
    const k = entry[0]
    if (!mapHasKey(b, k) || !isDeepEqual(entry[1], mapGetKey(b, k), strict, seen)) return false
  }
}

function setsEqual(a: object, b: object): boolean {
  if (setSizeOf(a) !== setSizeOf(b)) return false
  const it = valuesOf(a as Set<unknown>)
  for (;;) {
    const step = nextOfSetIterator(it)
    if (step.done) return true
    if (!setHasValue(b, step.value)) return false
  }
}
