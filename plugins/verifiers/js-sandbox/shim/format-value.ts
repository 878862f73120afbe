import { ErrorCtor, isArray, objectKeys, stringify, StringCtor } from './intrinsics.js'

/**
 * A value as console output and assertion messages show it, close to Node's util.inspect for the
 * plain data HumanEval tests print: strings bare at depth 0 and quoted below it, arrays and
 * objects up to depth 3 and 100 items, an Error as its stack. Never throws: a value whose
 * inspection throws (a Proxy, a getter) shows as `[object]`.
 */
export function show(v: unknown, depth: number): string {
  if (typeof v === 'string') return depth === 0 ? v : stringify(v)
  if (typeof v === 'function') return '[Function' + (v.name ? ': ' + v.name : '') + ']'
  if (typeof v === 'bigint') return StringCtor(v) + 'n'
  if (typeof v === 'symbol') return 'Symbol()'
  if (v === null || typeof v !== 'object') return StringCtor(v)
  if (depth > 3) return isArray(v) ? '[Array]' : '[Object]'
  try {
    if (isArray(v)) {
      let s = '['
      for (let i = 0; i < v.length && i < 100; i++) s += (i ? ', ' : ' ') + show(v[i], depth + 1)
      return s + (v.length > 100 ? ', …' : '') + (v.length ? ' ]' : ']')
    }
    if (v instanceof ErrorCtor) return StringCtor(v.stack || v)
    const keys = objectKeys(v)
    const record = v as Record<string, unknown>
    let s = '{'
    for (let i = 0; i < keys.length && i < 100; i++) s += (i ? ', ' : ' ') + keys[i] + ': ' + show(record[keys[i]!], depth + 1)
    return s + (keys.length ? ' }' : '}')
  } catch {
    return '[object]'
  }
}
