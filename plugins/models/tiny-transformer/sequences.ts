import type { CharTokenizer } from './tokenizer.js'
import { BOS, EOS, PAD } from './tokenizer.js'

/** A right-padded batch of (prompt, completion) sequences ready for the full forward pass. */
export interface PairBatch {
  B: number
  T: number
  /** [B·T] input ids (PAD after each row's end). */
  inputs: Int32Array
  /** [B·T] next-token targets. */
  targets: Int32Array
  /** [B·T] 1 where the target is a response token (completion or the closing EOS), else 0. */
  response: Float32Array
}

/**
 * Encodes pairs as BOS + prompt + completion + EOS. The loss covers the completion and the EOS
 * (so the model learns to stop), never the prompt. A sequence longer than context + 1 tokens
 * keeps its last context + 1 tokens (prompt cut on the left; a completion longer than the
 * context loses its beginning too).
 */
export function encodePairs(tok: CharTokenizer, pairs: Array<{ prompt: string; completion: string }>, context: number): PairBatch {
  const rows = pairs.map(({ prompt, completion }) => {
    const p = tok.encode(prompt)
    let seq = [BOS, ...p, ...tok.encode(completion), EOS]
    let responseStart = 1 + p.length
    const drop = Math.max(0, seq.length - (context + 1))
    seq = seq.slice(drop)
    responseStart = Math.max(1, responseStart - drop)
    return { seq, responseStart }
  })
  const B = rows.length
  const T = Math.max(1, ...rows.map((r) => r.seq.length - 1))
  const inputs = new Int32Array(B * T).fill(PAD)
  const targets = new Int32Array(B * T).fill(PAD)
  const response = new Float32Array(B * T)
  rows.forEach(({ seq, responseStart }, b) => {
    for (let j = 0; j < seq.length - 1; j++) {
      inputs[b * T + j] = seq[j]!
      targets[b * T + j] = seq[j + 1]!
      if (j + 1 >= responseStart) response[b * T + j] = 1
    }
  })
  return { B, T, inputs, targets, response }
}

/** BOS + prompt ids for sampling, cut on the left to at most `context` ids so one token can follow. */
export function promptIds(tok: CharTokenizer, prompt: string, context: number): number[] {
  const ids = [BOS, ...tok.encode(prompt)]
  return ids.length > context ? ids.slice(ids.length - context) : ids
}
