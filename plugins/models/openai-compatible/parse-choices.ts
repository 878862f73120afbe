import type { Completion } from 'bonbench'
import type { ModelUsage } from 'bonbench'

/** The parts of an OpenAI completion or chat completion answer this plugin reads (both shapes). */
export interface ApiAnswer {
  choices?: Array<{
    index?: number
    text?: string
    message?: { content?: string | null }
    finish_reason?: string | null
    /** vLLM's (and `bench serve`'s) extension: the stop string that ended the text; null when the end-of-sequence token did. */
    stop_reason?: string | number | null
    logprobs?: { tokens?: string[]; token_logprobs?: Array<number | null>; content?: Array<{ token?: string; logprob: number }> | null } | null
  }>
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null
}

/**
 * The completions of one answer, in choice order (by `index`). Text is the choice's `text`
 * (completions) or `message.content` (chat). With log-probabilities, `tokens` has one entry per
 * token (its id where the server spells tokens `token_id:<id>`, as vLLM's
 * `--return-tokens-as-token-ids` and `bench serve` do; else −1: the API gives no ids) and `logProb` is their sum; without them `tokens` is
 * empty and `logProb` 0, a placeholder (evaluation reads neither; the cell's usage has the token counts). `finish_reason` 'length' stays 'length'; 'stop' becomes
 * 'stop' when a stop string ended the text (vLLM's `stop_reason`), else 'eos'.
 */
export function parseChoices(answer: ApiAnswer): Completion[] {
  const choices = [...(answer.choices ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0))
  return choices.map((choice): Completion => {
    const text = choice.text ?? choice.message?.content ?? ''
    const perToken = choice.logprobs?.token_logprobs ?? choice.logprobs?.content?.map((t) => t.logprob)
    const tokenLogProbs = perToken?.map((l) => (typeof l === 'number' ? l : Number.NaN))
    const names = choice.logprobs?.tokens ?? choice.logprobs?.content?.map((t) => t.token)
    const finishReason = choice.finish_reason === 'length' ? 'length' : typeof choice.stop_reason === 'string' ? 'stop' : 'eos'
    const completion: Completion = {
      text,
      tokens: tokenLogProbs ? tokenLogProbs.map((_, i) => tokenId(names?.[i])) : [],
      logProb: tokenLogProbs ? tokenLogProbs.reduce((a, b) => a + b, 0) : 0,
      finishReason,
    }
    if (tokenLogProbs) completion.tokenLogProbs = tokenLogProbs
    return completion
  })
}

/** Usage of one answer as the server reports it (zero where it reports none). */
export function answerUsage(answer: ApiAnswer): Pick<ModelUsage, 'promptTokens' | 'completionTokens'> {
  return { promptTokens: answer.usage?.prompt_tokens ?? 0, completionTokens: answer.usage?.completion_tokens ?? 0 }
}

function tokenId(name: string | undefined): number {
  const m = name === undefined ? null : /^token_id:(\d+)$/.exec(name)
  return m ? Number(m[1]) : -1
}
