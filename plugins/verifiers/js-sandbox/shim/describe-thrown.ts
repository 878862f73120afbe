import { getOwnPropertyDescriptor, getPrototypeOf, sliceString, StringCtor } from './intrinsics.js'

/** A thrown or rejected value as plain strings: all that leaves the isolate of it. */
export interface ThrownInfo {
  /** 'threw' (an uncaught exception) or 'rejected with' (the completion value's promise rejected). */
  how: string
  name: string
  message: string
  code: string
  /** The stack when it could be read safely, else `name: message` or a description of the value. */
  text: string
}

/** A property as found without running code: its value when a data property, else that it is an accessor. */
export type FoundProperty = { value: unknown; accessor?: undefined } | { accessor: true; value?: undefined }

/**
 * Looks `key` up along `v`'s prototype chain (at most 16 steps) by property descriptors only, so
 * no getter runs. A Proxy's traps still run: the caller runs under the candidate's time limit.
 */
export function dataProperty(v: unknown, key: string): FoundProperty {
  let o = v
  for (let depth = 0; depth < 16 && o !== null && (typeof o === 'object' || typeof o === 'function'); depth++) {
    const d = getOwnPropertyDescriptor(o, key)
    if (d !== undefined) return 'value' in d ? { value: d.value } : { accessor: true }
    o = getPrototypeOf(o)
  }
  return { value: undefined }
}

/** A primitive as text; '' for anything else (never calls a conversion of an object). */
export function plain(v: unknown): string {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return StringCtor(v)
  return ''
}

/** Longest `text` a description keeps, in characters. */
export const THROWN_TEXT_LIMIT = 4096

/**
 * What was thrown, as plain strings. Reads own data properties along the prototype chain and
 * never calls a getter or a conversion of the value; runs under the candidate's time limit, so a
 * Proxy trap that loops ends as a timeout instead of reaching the host. Never throws.
 */
export function describeThrown(e: unknown, how: string): ThrownInfo {
  const info: ThrownInfo = { how, name: '', message: '', code: '', text: '' }
  try {
    if (typeof e === 'function') {
      info.text = how + ' a function'
    } else if (e === null || typeof e !== 'object') {
      info.text = how + ' ' + (typeof e === 'symbol' ? 'a symbol' : typeof e === 'string' ? e : StringCtor(e))
    } else {
      const name = dataProperty(e, 'name')
      const message = dataProperty(e, 'message')
      const code = dataProperty(e, 'code')
      info.name = name.accessor ? '[getter]' : plain(name.value)
      info.message = message.accessor ? '[getter]' : plain(message.value)
      info.code = code.accessor ? '' : plain(code.value)
      // V8 formats an error's stack from its name and message on first read: only read it when
      // both are plain data (else a looping getter would run here).
      const own = getOwnPropertyDescriptor(e, 'stack')
      const stack: unknown = !name.accessor && !message.accessor && own !== undefined && 'value' in own ? own.value : undefined
      if (typeof stack === 'string' && stack !== '') info.text = stack
      else if (info.name || info.message) info.text = (info.name || 'Error') + ': ' + info.message
      else info.text = how + ' an object that is not an Error'
    }
  } catch {
    info.text = how + ' a value that cannot be inspected'
  }
  if (info.text.length > THROWN_TEXT_LIMIT) info.text = sliceString(info.text, 0, THROWN_TEXT_LIMIT)
  return info
}
