import { z } from 'zod'
import { BenchError } from '../errors.js'

/**
 * How every plugin made with the kit (define-plugin.ts) reads its options, and how the loader
 * checks a plugin's `optionsSchema`: one parse, one error code (BENCH_PLUGIN_OPTIONS), one
 * message shape — the plugin, each bad option's path, what was wrong with the value given, the
 * allowed options, and what to do.
 */

/**
 * Validates `input` against a plugin's zod options schema and returns the options with defaults
 * applied. A top-level key written in the other case style of a schema key (`includeDq` for
 * `include-dq`, `learning-rate` for `learningRate`) is read as that key. Throws BENCH_PLUGIN_OPTIONS
 * (see {@link pluginOptionsError}) when the options do not fit.
 */
export function parsePluginOptions<S extends z.ZodType>(pluginName: string, schema: S, input: unknown): z.output<S> {
  const given = normalizeOptionKeys(schema, input ?? {})
  const parsed = schema.safeParse(given)
  if (!parsed.success) throw pluginOptionsError(pluginName, parsed.error, given, allowedOptions(schema))
  return parsed.data
}

/**
 * The error for options a schema rejected, e.g. `bonbench:line: invalid options: step: Too small:
 * expected number to be >0 (got 0). Allowed options: stream, intervalMs, step, now. Fix them
 * where the config lists the plugin; \`bench list bonbench:line\` describes each option.`
 */
export function pluginOptionsError(
  pluginName: string,
  error: z.ZodError | { issues: readonly z.core.$ZodIssue[] },
  input: unknown,
  allowed?: readonly string[],
  source?: string,
): BenchError {
  const problems = error.issues.map((issue) => describeIssue(issue, input)).join('; ')
  const allowedText = allowed ? ` Allowed options: ${allowed.length > 0 ? allowed.join(', ') : '(none)'}.` : ''
  return new BenchError(
    'BENCH_PLUGIN_OPTIONS',
    `${pluginName}${source ? ` (${source})` : ''}: invalid options: ${problems}.${allowedText} Fix them where the config lists the plugin ('name' or ['name', { …options }]); \`bench list ${pluginName}\` describes each option.`,
    { cause: error },
  )
}

/** The top-level option names of an object schema (undefined when the schema is not an object). */
export function allowedOptions(schema: unknown): string[] | undefined {
  const shape = (schema as { shape?: unknown } | null)?.shape
  return shape && typeof shape === 'object' ? Object.keys(shape) : undefined
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String).join('.')
  if (issue.code === 'unrecognized_keys') {
    const where = path === '' ? '' : ` in ${path}`
    return `unknown option${issue.keys.length > 1 ? 's' : ''}${where} ${issue.keys.map((k) => `'${k}'`).join(', ')}`
  }
  const value = valueAt(input, issue.path)
  const got = value === undefined ? '' : ` (got ${show(value)})`
  return `${path === '' ? 'options' : path}: ${issue.message.replace(/\.$/, '')}${got}`
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<PropertyKey, unknown>)[key]
  }
  return value
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
const camel = (key: string) => key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/** Renames top-level keys given in the other case style of a schema key; other keys pass as they are. */
function normalizeOptionKeys(schema: unknown, input: unknown): unknown {
  const allowed = allowedOptions(schema)
  if (!allowed || input === null || typeof input !== 'object' || Array.isArray(input)) return input
  const known = new Set(allowed)
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(input)) {
    const twin = known.has(key) ? key : [kebab(key), camel(key)].find((k) => known.has(k) && !(k in input))
    out[twin ?? key] = value
  }
  return out
}
