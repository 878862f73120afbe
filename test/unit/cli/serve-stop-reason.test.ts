/**
 * `bench serve`'s vLLM-style `stop_reason` (cli/serve/openai-answers.ts): the stop string that
 * ended the text, as the model reports it (`Completion.stopString`, which the tiny-transformer gives, checked end to end
 * in test/plugins/models/openai-compatible.test.ts), or else the one the text is consistent with.
 */
import { describe, expect, it } from 'vitest'
import type { Completion } from '../../../core/plugin-api/model.js'
import { endingStop, finish } from '../../../cli/serve/openai-answers.js'

const stopped = (text: string): Completion => ({ text, tokens: [...text].map((_, i) => i), logProb: -1, finishReason: 'stop' })
const markStopString = (completion: Completion, stopString: string): Completion => ({ ...completion, stopString })

describe('stop_reason', () => {
  it('is the stop string the model reports, even where the text fits an earlier one', () => {
    // '7' followed by 'Z' or by '\n' would both have stopped here: only the model knows which came.
    expect(endingStop(markStopString(stopped('7'), '\n'), ['Z', '\n'])).toBe('\n')
    expect(finish({ completion: markStopString(stopped('7'), '\n'), prompt: 'p', stop: ['Z', '\n'] })).toEqual({ finish_reason: 'stop', stop_reason: '\n' })
  })

  it('without a report (or with one the request did not ask for), is the stop string the text is consistent with', () => {
    // 'x' + 'cab' would have stopped at 'xca' on 'a': so 'a' ended it, though 'cab' is listed first.
    expect(endingStop(stopped('x'), ['cab', 'a'])).toBe('a')
    expect(endingStop(markStopString(stopped('x'), 'zz'), ['cab', 'a'])).toBe('a')
    // 'xa' + 'a\n' would have stopped on '\n' (listed first, ending at the same character).
    expect(endingStop(stopped('xa'), ['\n', 'a\n'])).toBe('\n')
    // Where the text fits several, the first of them: a guess, but never null (null reads as end of sequence).
    expect(endingStop(stopped('7'), ['Z', '\n'])).toBe('Z')
  })

  it('is null for end of sequence and length, and for a stop without stop strings', () => {
    const eos: Completion = { ...stopped('7'), finishReason: 'eos' }
    const length: Completion = { ...stopped('7'), finishReason: 'length' }
    expect(finish({ completion: eos, prompt: 'p', stop: ['7'] })).toEqual({ finish_reason: 'stop', stop_reason: null })
    expect(finish({ completion: length, prompt: 'p', stop: ['7'] })).toEqual({ finish_reason: 'length', stop_reason: null })
    expect(endingStop(stopped('7'), [])).toBeNull()
  })
})
