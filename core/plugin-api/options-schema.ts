import { z } from 'zod'

/** A JSON Schema object, as `z.toJSONSchema` writes it. */
export type JsonSchema = Record<string, unknown>

/**
 * The JSON Schema (draft 2020-12) of a plugin's options as a user writes them (defaults make
 * fields optional), or undefined when the plugin has no zod `optionsSchema`. Parts JSON Schema
 * cannot say (a function, a stream) become `{}` (any value). Shown by `bench list --json`.
 */
export function optionsJsonSchema(schema: unknown): JsonSchema | undefined {
  if (!isZodSchema(schema)) return undefined
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  } catch {
    return undefined
  }
}

/** One option as `bench list <name>` prints it. */
export interface OptionRow {
  /** Dotted for a nested option (`batching.sampleRows`). */
  name: string
  type: string
  /** JSON text of the default; '' when there is none. */
  default: string
  description: string
}

/** The options of a JSON Schema as rows, nested objects flattened to dotted names, in schema order. */
export function optionRows(schema: JsonSchema, prefix = ''): OptionRow[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>
  return Object.entries(properties).flatMap(([key, property]) => {
    const name = prefix + key
    const row: OptionRow = {
      name,
      type: typeName(property),
      default: 'default' in property ? JSON.stringify(property.default) : '',
      description: typeof property.description === 'string' ? property.description : '',
    }
    const nested = property.type === 'object' && property.properties ? optionRows(property, `${name}.`) : []
    return [row, ...nested]
  })
}

function typeName(s: JsonSchema): string {
  if ('const' in s) return JSON.stringify(s.const)
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(' | ')
  const alternatives = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined
  if (Array.isArray(alternatives)) return alternatives.map(typeName).join(' | ')
  if (s.type === 'array') return `${s.items ? typeName(s.items as JsonSchema) : 'any'}[]`
  if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    return `{ [key]: ${typeName(s.additionalProperties as JsonSchema)} }`
  }
  if (typeof s.type === 'string') return s.type
  if (Array.isArray(s.type)) return s.type.join(' | ')
  return 'any'
}

function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value && typeof (value as { safeParse?: unknown }).safeParse === 'function'
}
