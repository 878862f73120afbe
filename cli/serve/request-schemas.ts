import { z } from 'zod'

const stop = z.union([z.string(), z.array(z.string()).max(16)]).nullish()

/** The largest seed the core's random streams tell apart: they take seeds as 32-bit unsigned integers (core/rng.ts). */
export const MAX_SEED = 2 ** 32 - 1

/**
 * The message for a seed out of range. Why a 400 and not a silent fold: the model's streams would
 * read the seed modulo 2^32, so 7 and 2^32 + 7 would give the same completions.
 */
const seedRange = `must be an integer in [0, ${MAX_SEED}] (0 to 2^32 − 1): the model's random streams take 32-bit seeds, so another seed would repeat one of these; reduce it modulo 2^32`

/** `seed`: an integer the model honours exactly (see MAX_SEED), or none (one is drawn). */
const seed = z.int().min(0, seedRange).max(MAX_SEED, seedRange).nullish()

/** What both endpoints share: the sampling parameters `bench serve` honours (unknown fields are ignored, as vLLM does). */
const sampling = {
  model: z.string().min(1),
  n: z.int().min(1).max(1024).default(1),
  temperature: z.number().min(0).max(10).default(1),
  top_p: z.number().gt(0).max(1).default(1),
  max_tokens: z.int().min(1).nullish(),
  max_completion_tokens: z.int().min(1).nullish(),
  stop,
  seed,
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
}

/** `POST /v1/completions`: one prompt, or a list of them (choices then run prompt by prompt, `n` each). */
export const completionRequestSchema = z.looseObject({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string()).min(1).max(64)]),
  logprobs: z.int().min(0).max(20).nullish(),
  echo: z.literal(false).nullish(),
})

const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() })

/** `POST /v1/chat/completions`: the messages' text, joined by newlines, is the prompt (the tiny model has no chat template). */
export const chatRequestSchema = z.looseObject({
  ...sampling,
  messages: z.array(z.looseObject({ role: z.string(), content: z.union([z.string(), z.array(contentPart)]).nullish() })).min(1),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(20).nullish(),
})

export type CompletionRequest = z.output<typeof completionRequestSchema>
export type ChatRequest = z.output<typeof chatRequestSchema>

/** The prompt a chat request stands for: every message's text, in order, joined by newlines. */
export function chatPrompt(messages: ChatRequest['messages']): string {
  return messages.map((m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((p) => p.text ?? '').join(''))).join('\n')
}

/** `stop` as a list (OpenAI allows a string, a list or null). */
export function stopList(value: z.output<typeof stop>): string[] {
  if (value === null || value === undefined) return []
  return (Array.isArray(value) ? value : [value]).filter((s) => s.length > 0)
}
