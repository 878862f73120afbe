import { randomUUID } from 'node:crypto'
import type { Completion } from '../../core/plugin-api/model.js'

/** One choice as sampled, with the prompt it answers (for usage counts). */
export interface SampledChoice {
  completion: Completion
  prompt: string
  /** The stop strings of its request: which one ended the text, when one did. */
  stop: string[]
}

/** Tokens spelled as vLLM's `--return-tokens-as-token-ids` does: `token_id:<id>` (the server knows ids, not token texts). */
const tokenName = (id: number) => `token_id:${id}`

/** OpenAI's finish reason, and vLLM's `stop_reason`: the stop string that ended the text, null for end of sequence. */
export function finish(choice: SampledChoice): { finish_reason: 'stop' | 'length'; stop_reason: string | null } {
  const c = choice.completion
  if (c.finishReason === 'length') return { finish_reason: 'length', stop_reason: null }
  if (c.finishReason === 'stop') return { finish_reason: 'stop', stop_reason: endingStop(c, choice.stop) }
  return { finish_reason: 'stop', stop_reason: null }
}

/**
 * Which of the request's stop strings ended a completion whose finish reason is 'stop'. The text
 * leaves it out, so the model has to say: `Completion.stopString` (the tiny-transformer gives it),
 * used when it is one of `stops`. For a model that does not say, the stop strings the text is
 * consistent with (`endsFirst`); when several are, the text cannot tell them apart and the first
 * of them in request order is a guess. Never null while `stops` has one: null would read as end
 * of sequence.
 */
export function endingStop(completion: Completion, stops: string[]): string | null {
  const reported = completion.stopString
  if (reported !== undefined && stops.includes(reported)) return reported
  return stops.find((s) => s.length > 0 && endsFirst(completion.text + s, s, stops)) ?? stops.find((s) => s.length > 0) ?? null
}

/**
 * Whether decoding `whole` and checking the stop strings after each character, in request order
 * (as the tiny-transformer does, and vLLM), would first stop at its very end, on `stop`: no stop
 * string ends earlier, and none listed before `stop` ends there too.
 */
function endsFirst(whole: string, stop: string, stops: string[]): boolean {
  for (let end = 1; end <= whole.length; end++) {
    const prefix = whole.slice(0, end)
    const first = stops.find((s) => s.length > 0 && prefix.endsWith(s))
    if (first !== undefined) return end === whole.length && first === stop
  }
  return false
}

/** Per-token log-probabilities where the model gives them (`Completion.tokenLogProbs`); else the sum on the last token. */
function tokenLogProbs(c: Completion): number[] {
  if (c.tokenLogProbs && c.tokenLogProbs.length === c.tokens.length) return c.tokenLogProbs
  return c.tokens.map((_, i) => (i === c.tokens.length - 1 ? c.logProb : 0))
}

/**
 * Usage as OpenAI reports it. Prompt tokens are counted as code points, exact for the tiny
 * transformer's one-token-per-character tokenizer (the model contract has no tokenizer call);
 * completion tokens are the completions' own tokens (with the end-of-sequence token).
 */
export function usageOf(choices: SampledChoice[], prompts: string[]): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const prompt_tokens = prompts.reduce((s, p) => s + [...p].length, 0)
  const completion_tokens = choices.reduce((s, c) => s + c.completion.tokens.length, 0)
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens }
}

/** The body of a `/v1/completions` answer. */
export function completionAnswer(model: string, choices: SampledChoice[], prompts: string[], logprobs: boolean): Record<string, unknown> {
  return {
    id: `cmpl-${randomUUID()}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: choices.map((choice, index) => ({
      index,
      text: choice.completion.text,
      logprobs: logprobs ? completionLogprobs(choice.completion) : null,
      ...finish(choice),
    })),
    usage: usageOf(choices, prompts),
  }
}

function completionLogprobs(c: Completion): Record<string, unknown> {
  return { tokens: c.tokens.map(tokenName), token_logprobs: tokenLogProbs(c), top_logprobs: null, text_offset: null }
}

/** The body of a `/v1/chat/completions` answer. */
export function chatAnswer(model: string, choices: SampledChoice[], prompts: string[], logprobs: boolean): Record<string, unknown> {
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: choices.map((choice, index) => ({
      index,
      message: { role: 'assistant', content: choice.completion.text },
      logprobs: logprobs ? chatLogprobs(choice.completion) : null,
      ...finish(choice),
    })),
    usage: usageOf(choices, prompts),
  }
}

function chatLogprobs(c: Completion): Record<string, unknown> {
  const lps = tokenLogProbs(c)
  return { content: c.tokens.map((id, i) => ({ token: tokenName(id), logprob: lps[i]!, bytes: null, top_logprobs: [] })) }
}
