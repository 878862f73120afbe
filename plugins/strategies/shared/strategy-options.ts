import type { z } from 'zod'
import { BenchError } from 'bonbench'

/**
 * Validates a strategy's options with its zod schema. Keys may be written as DESIGN spells them
 * (`neg-sign`, `include-dq`) or in camelCase (`negSign`); camelCase is rewritten to kebab-case
 * first. Throws BENCH_PLUGIN_OPTIONS naming the plugin and the allowed keys.
 */
export function parseStrategyOptions<S extends z.ZodType>(name: string, schema: S, options: Record<string, unknown> | undefined, allowed: string): z.output<S> {
  const input: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(options ?? {})) input[key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)] = value
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw new BenchError('BENCH_PLUGIN_OPTIONS', `bonbench:${name}: invalid options: ${parsed.error.message}. Allowed: ${allowed}.`)
  return parsed.data
}

/** K, the policy samples per prompt: the option `k`, else max(2N′, 4) (so B = ⌊K/N′⌋ ≥ 2 BoN picks). */
export function defaultK(nTrain: number, k: number | undefined): number {
  return k ?? Math.max(2 * nTrain, 4)
}

/** Throws BENCH_RUN_INVALID, naming the strategy, when a group holds fewer samples than a rule needs. */
export function requireSamples(name: string, have: number, need: number, why: string): void {
  if (have < need) {
    throw new BenchError('BENCH_RUN_INVALID', `bonbench:${name}: a group holds ${have} policy samples but the rule needs at least ${need} (${why}). Gather the K that needs() declares.`)
  }
}
