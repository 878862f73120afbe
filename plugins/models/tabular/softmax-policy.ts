/**
 * The pure maths of a softmax policy over a finite answer set: π = softmax(θ / T). Used by the
 * `tabular` model and, directly, by the strategy tests that enumerate π and its gradients.
 */

/**
 * softmax(logits / temperature), computed stably (max subtracted). Temperature 0 is greedy: all
 * mass on the first largest logit. Returns a new array summing to 1.
 */
export function softmax(logits: readonly number[], temperature = 1): number[] {
  if (logits.length === 0) return []
  let max = -Infinity
  let argmax = 0
  for (let i = 0; i < logits.length; i++) {
    if (logits[i]! > max) {
      max = logits[i]!
      argmax = i
    }
  }
  if (temperature <= 0) return logits.map((_, i) => (i === argmax ? 1 : 0))
  const exps = logits.map((l) => Math.exp((l - max) / temperature))
  const total = exps.reduce((a, b) => a + b, 0)
  return exps.map((e) => e / total)
}

/** log softmax(logits / temperature)[index] (T = 1 by default), computed stably. */
export function logSoftmaxAt(logits: readonly number[], index: number, temperature = 1): number {
  let max = -Infinity
  for (const l of logits) max = Math.max(max, l / temperature)
  let total = 0
  for (const l of logits) total += Math.exp(l / temperature - max)
  return logits[index]! / temperature - max - Math.log(total)
}

/**
 * The score function in logit space: ∇_θ log π(y) = e_y − π, with π = softmax(θ) at T = 1.
 * Every strategy's update is Σ wᵢ · (e_{yᵢ} − π), so this is what the rule tests average.
 */
export function scoreGradient(probs: readonly number[], index: number): number[] {
  return probs.map((p, k) => (k === index ? 1 : 0) - p)
}

/**
 * ∇_θ KL(π‖π_ref) in logit space for π = softmax(θ), π_ref = softmax(θ_ref):
 * π_k · (log π_k − log π_ref_k − KL). Zero when θ = θ_ref (up to a constant shift).
 */
export function klGradient(logits: readonly number[], refLogits: readonly number[]): number[] {
  const p = softmax(logits)
  const logRatio = p.map((_, k) => logSoftmaxAt(logits, k) - logSoftmaxAt(refLogits, k))
  const kl = p.reduce((acc, pk, k) => acc + pk * logRatio[k]!, 0)
  return p.map((pk, k) => pk * (logRatio[k]! - kl))
}

/** KL(π‖π_ref) for π = softmax(θ), π_ref = softmax(θ_ref). */
export function klDivergence(logits: readonly number[], refLogits: readonly number[]): number {
  const p = softmax(logits)
  return p.reduce((acc, pk, k) => (pk > 0 ? acc + pk * (logSoftmaxAt(logits, k) - logSoftmaxAt(refLogits, k)) : acc), 0)
}

/** Inverse-CDF draw from a categorical distribution with a uniform `u` in [0, 1). */
export function sampleCategorical(probs: readonly number[], u: number): number {
  let acc = 0
  for (let k = 0; k < probs.length; k++) {
    acc += probs[k]!
    if (u < acc) return k
  }
  // Rounding can leave acc slightly below 1: fall back to the last answer with mass.
  for (let k = probs.length - 1; k >= 0; k--) if (probs[k]! > 0) return k
  return probs.length - 1
}
