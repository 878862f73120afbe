import { isDeepStrictEqual } from 'node:util'
import type { SampleResult } from '../plugin-api/model.js'

/**
 * True when two sample() answers hold the same completions: prompt ids, texts, tokens and finish
 * reasons exactly, log-probs within `tolerance` (float rounding may differ with batch shape or
 * after a checkpoint round-trip; the sampled text may not).
 */
export function sameSamples(a: readonly SampleResult[], b: readonly SampleResult[], tolerance: number): boolean {
  if (a.length !== b.length) return false
  return a.every((ra, i) => {
    const rb = b[i]!
    if (ra.promptId !== rb.promptId || ra.completions.length !== rb.completions.length) return false
    return ra.completions.every((ca, j) => {
      const cb = rb.completions[j]!
      return (
        ca.text === cb.text && ca.finishReason === cb.finishReason && isDeepStrictEqual(ca.tokens, cb.tokens) && Math.abs(ca.logProb - cb.logProb) <= tolerance
      )
    })
  })
}
