/** The chosen token and its log-probability under the untempered (T = 1) policy. */
export interface Pick {
  token: number
  logProb: number
}

/**
 * Chooses the next token from one row of logits with one uniform draw `u`.
 * temperature ≤ 0 is greedy (first argmax); otherwise softmax(logits / T), restricted to the
 * smallest top-p nucleus when topP < 1. The returned logProb is always log softmax(logits) at
 * T = 1 — the base policy that `update` trains and `logProb` scores.
 */
export function pickToken(logits: Float32Array<ArrayBufferLike>, offset: number, V: number, temperature: number, topP: number, u: number): Pick {
  let max = -Infinity
  let argmax = 0
  for (let i = 0; i < V; i++) {
    const l = logits[offset + i]!
    if (l > max) {
      max = l
      argmax = i
    }
  }
  let sum = 0
  for (let i = 0; i < V; i++) sum += Math.exp(logits[offset + i]! - max)
  const lse = max + Math.log(sum)
  const logProbOf = (token: number): Pick => ({ token, logProb: logits[offset + token]! - lse })
  if (!(temperature > 0)) return logProbOf(argmax)

  const probs = new Float64Array(V)
  let total = 0
  for (let i = 0; i < V; i++) total += probs[i] = Math.exp((logits[offset + i]! - max) / temperature)
  if (topP < 1) {
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b)
    let kept = 0
    let n = 0
    while (n < V && kept < topP * total) kept += probs[order[n++]!]!
    let target = u * kept
    for (let i = 0; i < n; i++) {
      target -= probs[order[i]!]!
      if (target < 0) return logProbOf(order[i]!)
    }
    return logProbOf(order[n - 1]!)
  }
  let target = u * total
  let last = argmax
  for (let i = 0; i < V; i++) {
    if (probs[i]! === 0) continue
    last = i
    target -= probs[i]!
    if (target < 0) return logProbOf(i)
  }
  return logProbOf(last)
}
