import { z } from 'zod'

const positiveInt = z.number().int().positive()

const pluginRef = z.union([
  z.string().min(1),
  z.tuple([z.string().min(1), z.record(z.string(), z.unknown())]),
  z.object({ name: z.unknown(), kind: z.unknown() }).passthrough(),
])

/** zod schema of UserConfig; strict, so an unknown key is an error that lists the valid ones. */
export const userConfigSchema = z.strictObject({
  plugins: z.array(pluginRef).optional(),
  matrix: z
    .strictObject({
      task: z.string().min(1).optional(),
      model: z.string().min(1).optional(),
      strategies: z.array(z.string().min(1)).optional(),
      nGrid: z.array(positiveInt).min(1).optional(),
      nTrain: z.array(positiveInt).min(1).optional(),
      temperatures: z.array(z.number().min(0)).min(1).optional(),
      baseTemperatures: z.array(z.number().min(0)).optional(),
      seeds: z.array(z.number().int().min(0)).min(1).optional(),
      poolSize: positiveInt.optional(),
      verifier: z.string().min(1).optional(),
    })
    .optional(),
  train: z
    .strictObject({
      steps: z.number().int().min(0).optional(),
      batchPrompts: positiveInt.optional(),
      learningRate: z.number().positive().optional(),
      learningRates: z.record(z.string().min(1), z.number().positive()).optional(),
      pretrainSteps: z.number().int().min(0).optional(),
      pretrainBatch: positiveInt.optional(),
      pretrainLearningRate: z.number().positive().optional(),
      lambda: z.union([z.literal('kl-match'), z.literal('N-1'), z.number().min(0)]).optional(),
      evalEvery: positiveInt.optional(),
    })
    .optional(),
  eval: z
    .strictObject({
      testPrompts: positiveInt.optional(),
      threshold: z.number().optional(),
      bootstrap: positiveInt.optional(),
      kl: z.boolean().optional(),
    })
    .optional(),
  data: z.string().min(1).optional(),
  taskSeed: z.number().int().min(0).optional(),
  runsDir: z.string().min(1).optional(),
  cacheDir: z.string().min(1).optional(),
  concurrency: positiveInt.optional(),
  backend: z.string().min(1).optional(),
})

/** Formats zod issues as lines `path: message`, listing valid keys for unknown ones. */
export function formatConfigIssues(error: z.ZodError, shape: z.ZodObject = userConfigSchema): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.join('.') || '(root)'
      if (issue.code === 'unrecognized_keys') {
        const valid = Object.keys(shapeAt(shape, issue.path) ?? {})
        return `${path}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; valid keys are ${valid.join(', ')}`
      }
      return `${path}: ${issue.message}`
    })
    .join('\n  ')
}

function shapeAt(schema: z.ZodObject, path: PropertyKey[]): Record<string, unknown> | undefined {
  let current: unknown = schema
  for (const key of path) {
    const unwrapped = unwrap(current)
    if (!(unwrapped instanceof z.ZodObject)) return undefined
    current = unwrapped.shape[key as string]
  }
  const last = unwrap(current)
  return last instanceof z.ZodObject ? last.shape : undefined
}

function unwrap(schema: unknown): unknown {
  let s = schema
  while (s instanceof z.ZodOptional) s = s.unwrap()
  return s
}
