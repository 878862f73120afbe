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
export const PromiseCtor = Promise
export const ObjectPrototype = Object.prototype
export const ArrayPrototype = Array.prototype
export const JSONObject = JSON
export const MathObject = Math
export const ReflectObject = Reflect
export const FunctionCtor = Function
export const PromisePrototype = Promise.prototype
export const getOwnPropertyNames = Object.getOwnPropertyNames
export const getOwnPropertySymbols = Object.getOwnPropertySymbols
/** The realm's own `eval`: a call to it through a binding named `eval` is a direct eval (see test-runner.ts). */
export const evalFunction = eval
/** %ArrayIteratorPrototype%, %MapIteratorPrototype%, %SetIteratorPrototype% and %StringIteratorPrototype%: reachable without a global name. */
export const ArrayIteratorPrototype = Object.getPrototypeOf([][Symbol.iterator]()) as object
export const MapIteratorPrototype = Object.getPrototypeOf(new Map().entries()) as { next(): IteratorResult<unknown> }
export const SetIteratorPrototype = Object.getPrototypeOf(new Set().values()) as { next(): IteratorResult<unknown> }
export const StringIteratorPrototype = Object.getPrototypeOf(''[Symbol.iterator]()) as object

const hasOwn = Object.prototype.hasOwnProperty
const objectIsPrototypeOf = Object.prototype.isPrototypeOf
const getter = (o: object, k: PropertyKey) => (Object.getOwnPropertyDescriptor(o, k) as PropertyDescriptor).get as () => unknown
const mapSize = getter(Map.prototype, 'size')
const mapHas = Map.prototype.has
const mapGet = Map.prototype.get
const mapIteratorNext = MapIteratorPrototype.next
const setSize = getter(Set.prototype, 'size')
const setHas = Set.prototype.has
const setIteratorNext = SetIteratorPrototype.next
const regexpSource = getter(RegExp.prototype, 'source')
const regexpFlags = getter(RegExp.prototype, 'flags')
const RegExpPrototype = RegExp.prototype
const mapEntries = Map.prototype.entries
const setValues = Set.prototype.values
const dateGetTime = Date.prototype.getTime
const regexpTest = RegExp.prototype.test
const stringSlice = String.prototype.slice
const promiseThen = Promise.prototype.then

/** `Object.prototype.hasOwnProperty.call(o, k)` through the captured built-ins. */
export const owns = (o: object, k: PropertyKey): boolean => reflectApply(hasOwn, o, [k]) as boolean
/** `proto.isPrototypeOf(o)` through the captured `Object.prototype.isPrototypeOf`. */
export const isPrototypeOf = (proto: object, o: unknown): boolean => reflectApply(objectIsPrototypeOf, proto, [o]) as boolean
/** The entries of a Map, through the captured `Map.prototype.entries`. */
export const entriesOf = (m: Map<unknown, unknown>): IterableIterator<[unknown, unknown]> =>
  reflectApply(mapEntries, m, []) as IterableIterator<[unknown, unknown]>
/** The values of a Set, through the captured `Set.prototype.values`. */
export const valuesOf = (s: Set<unknown>): IterableIterator<unknown> => reflectApply(setValues, s, []) as IterableIterator<unknown>
/** A Date's time value, through the captured `Date.prototype.getTime`. */
export const timeOf = (d: Date): number => reflectApply(dateGetTime, d, []) as number
/** `re.test(s)` through the captured `RegExp.prototype.test`. */
export const testRegExp = (re: RegExp, s: string): boolean => reflectApply(regexpTest, re, [s]) as boolean
/** `m.size` through the captured getter; throws a TypeError when `m` is no Map (a brand check). */
export const mapSizeOf = (m: object): number => reflectApply(mapSize, m, []) as number
/** `m.has(k)` through the captured `Map.prototype.has`. */
export const mapHasKey = (m: object, k: unknown): boolean => reflectApply(mapHas, m, [k]) as boolean
/** `m.get(k)` through the captured `Map.prototype.get`. */
export const mapGetKey = (m: object, k: unknown): unknown => reflectApply(mapGet, m, [k])
/** `s.size` through the captured getter; throws a TypeError when `s` is no Set (a brand check). */
export const setSizeOf = (s: object): number => reflectApply(setSize, s, []) as number
/** `s.has(v)` through the captured `Set.prototype.has`. */
export const setHasValue = (s: object, v: unknown): boolean => reflectApply(setHas, s, [v]) as boolean
/**
 * The next step of an iterator made by `entriesOf` or `valuesOf`, through the captured
 * %MapIteratorPrototype%.next / %SetIteratorPrototype%.next: the result is a fresh object made by
 * V8 with own `done` and `value`, so no patched prototype is consulted.
 */
export const nextOfMapIterator = (it: object): IteratorResult<unknown> => reflectApply(mapIteratorNext, it, []) as IteratorResult<unknown>
export const nextOfSetIterator = (it: object): IteratorResult<unknown> => reflectApply(setIteratorNext, it, []) as IteratorResult<unknown>
/** A RegExp's source and flags through the captured getters; throws a TypeError when `re` is no RegExp. */
export const regExpText = (re: object): string => '/' + (reflectApply(regexpSource, re, []) as string) + '/' + (reflectApply(regexpFlags, re, []) as string)

/**
 * An internal-slot check: true when `probe(v)` does not throw (a captured getter or method that
 * throws a TypeError on anything but its own kind). No `instanceof`, no Symbol.hasInstance, no
 * Proxy passes.
 */
const hasSlot =
  (probe: (v: object) => unknown) =>
  (v: object): boolean => {
    try {
      probe(v)
      return true
    } catch {
      return false
    }
  }
/** True when `v` is a Map (internal-slot check). */
export const isMap = hasSlot(mapSizeOf)
/** True when `v` is a Set (internal-slot check). */
export const isSet = hasSlot(setSizeOf)
/** True when `v` is a Date (internal-slot check). */
export const isDate = hasSlot((v) => timeOf(v as Date))
const hasRegExpSlot = hasSlot((v) => reflectApply(regexpSource, v, []))
/** True when `v` is a RegExp (internal-slot check; %RegExp.prototype% itself is none). */
export const isRegExp = (v: object): boolean => v !== RegExpPrototype && hasRegExpSlot(v)

/** `s.slice(start, end)` through Reflect.apply and the captured `String.prototype.slice`. */
export const sliceString = (s: string, start: number, end: number): string => reflectApply(stringSlice, s, [start, end]) as string
/** `p.then(onFulfilled, onRejected)` through Reflect.apply and the captured `Promise.prototype.then`. */
export const thenOf = (p: Promise<unknown>, onFulfilled: (v: unknown) => void, onRejected: (e: unknown) => void): void => {
  void reflectApply(promiseThen, p, [onFulfilled, onRejected])
}
