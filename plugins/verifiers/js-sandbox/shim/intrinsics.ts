// The built-ins the shim calls, captured when the shim's script runs in a fresh context — before
// the candidate does — so that a candidate replacing one (Object.create, Function.prototype.call,
// String.prototype.slice, …) cannot forge the report or an assertion's outcome. Every shim module
// imports them from here instead of reading the global at call time. Methods are called through
// the captured Reflect.apply, never `fn.call(…)`, which would look up Function.prototype.call then.

export const defineProperty = Object.defineProperty
export const freeze = Object.freeze
export const objectKeys = Object.keys
export const getPrototypeOf = Object.getPrototypeOf
export const objectIs = Object.is
export const isArray = Array.isArray
export const preventExtensions = Object.preventExtensions
export const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor
export const setPrototypeOf = Object.setPrototypeOf
export const objectCreate = Object.create
export const reflectApply = Reflect.apply
export const deleteProperty = Reflect.deleteProperty
export const stringify = JSON.stringify
export const ErrorCtor = Error
export const StringCtor = String
export const MapCtor = Map
export const SetCtor = Set
export const DateCtor = Date
export const RegExpCtor = RegExp
export const PromiseCtor = Promise
export const ObjectPrototype = Object.prototype
export const ArrayPrototype = Array.prototype
export const JSONObject = JSON

const hasOwn = Object.prototype.hasOwnProperty
const mapEntries = Map.prototype.entries
const setValues = Set.prototype.values
const dateGetTime = Date.prototype.getTime
const regexpTest = RegExp.prototype.test
const stringSlice = String.prototype.slice
const promiseThen = Promise.prototype.then

/** `Object.prototype.hasOwnProperty.call(o, k)` through the captured built-ins. */
export const owns = (o: object, k: PropertyKey): boolean => reflectApply(hasOwn, o, [k]) as boolean
/** The entries of a Map, through the captured `Map.prototype.entries`. */
export const entriesOf = (m: Map<unknown, unknown>): IterableIterator<[unknown, unknown]> =>
  reflectApply(mapEntries, m, []) as IterableIterator<[unknown, unknown]>
/** The values of a Set, through the captured `Set.prototype.values`. */
export const valuesOf = (s: Set<unknown>): IterableIterator<unknown> => reflectApply(setValues, s, []) as IterableIterator<unknown>
/** A Date's time value, through the captured `Date.prototype.getTime`. */
export const timeOf = (d: Date): number => reflectApply(dateGetTime, d, []) as number
/** `re.test(s)` through the captured `RegExp.prototype.test`. */
export const testRegExp = (re: RegExp, s: string): boolean => reflectApply(regexpTest, re, [s]) as boolean
/** `s.slice(start, end)` through Reflect.apply and the captured `String.prototype.slice`. */
export const sliceString = (s: string, start: number, end: number): string => reflectApply(stringSlice, s, [start, end]) as string
/** `p.then(onFulfilled, onRejected)` through Reflect.apply and the captured `Promise.prototype.then`. */
export const thenOf = (p: Promise<unknown>, onFulfilled: (v: unknown) => void, onRejected: (e: unknown) => void): void => {
  void reflectApply(promiseThen, p, [onFulfilled, onRejected])
}
