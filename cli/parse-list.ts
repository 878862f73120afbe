import { BenchError } from '../core/errors.js'

/** Parses `1,2,4` into numbers; a bad item is a usage error naming the flag. */
export function parseNumberList(flag: string) {
  return (value: string): number[] => {
    const items = value.split(',').map((s) => s.trim()).filter(Boolean)
    const numbers = items.map(Number)
    const bad = items.find((_, i) => !Number.isFinite(numbers[i]))
    if (bad !== undefined || numbers.length === 0) {
      throw new BenchError('BENCH_USAGE', `${flag} expects comma-separated numbers such as 1,2,4 (got '${value}').`)
    }
    return numbers
  }
}

/** Parses `a,b` into strings. */
export function parseStringList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean)
}

/** Parses one number; a bad value is a usage error naming the flag. */
export function parseNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isFinite(n)) throw new BenchError('BENCH_USAGE', `${flag} expects a number (got '${value}').`)
    return n
  }
}

/**
 * A flag's value as a number passing `check`; undefined stays undefined. A bad value is a usage
 * error: `<flag> must be <hint> (got '<value>')`.
 */
export function checkedNumber(value: string | undefined, flag: string, check: (n: number) => boolean, hint: string): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || !check(n)) throw new BenchError('BENCH_USAGE', `${flag} must be ${hint} (got '${value}')`)
  return n
}

/** Throws a usage error unless `value` is an integer ≥ `min`. */
export function checkInteger(flag: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new BenchError('BENCH_USAGE', `${flag} expects an integer ≥ ${min} (got ${value})`)
}
