import { tf } from './tf.js'
import { forwardLogits } from './forward.js'
import { oneHotFloat, sumLast } from './layers.js'
import type { ForwardConstants, WeightMap } from './forward.js'
import type { PairBatch } from './sequences.js'

/**
 * Per-token log π_τ(target) = log softmax(logits/τ)[target] over the batch, [B·T] (differentiable),
 * at sampling temperature τ (`temperature`, default 1), and `logp`, the T = 1 log-softmax of every
 * position (the KL term's). Targets are selected with a one-hot product, not tf.gather, because
 * gather has no gradient on WASM. At τ = 1 both come from one log-softmax; at τ ≠ 1 `logp` is
 * computed on first read (in the caller's tidy or gradient scope), so a step without the KL term
 * takes no second [B·T, vocab] log-softmax.
 */
export function tokenLogProbs(
  W: WeightMap,
  k: ForwardConstants,
  batch: PairBatch,
  dropoutSeed?: number,
  temperature = 1,
): { tokenLogp: tf.Tensor1D; logp: tf.Tensor2D } {
  const logits = forwardLogits(W, k, tf.tensor1d(batch.inputs, 'int32'), batch.B, batch.T, dropoutSeed)
  const targets = oneHotFloat(tf.tensor1d(batch.targets, 'int32'), k.cfg.vocab)
  if (temperature === 1) {
    const logp = tf.logSoftmax(logits) as tf.Tensor2D
    return { tokenLogp: sumLast(tf.mul(logp, targets)) as tf.Tensor1D, logp }
  }
  const tokenLogp = sumLast(tf.mul(tf.logSoftmax(tf.div(logits, temperature)), targets)) as tf.Tensor1D
  let logp: tf.Tensor2D | undefined
  return {
    tokenLogp,
    get logp() {
      return (logp ??= tf.logSoftmax(logits) as tf.Tensor2D)
    },
  }
}

/**
 * The training objective of DESIGN §2.2, a plain weighted sum (no division by the batch size or
 * the token count, so a weight means exactly what the strategy meant per sequence; the trainer
 * already averages weights over the prompts of a step), plus the KL penalty averaged per sequence:
 *   L = −Σᵢ wᵢ Σ_{t ∈ response(i)} log π_τ(y_t | y_<t, xᵢ)
 *       + β (1/B) Σᵢ Σ_{t ∈ response(i)} KL(π(·|y_<t, xᵢ) ‖ π_ref(·|y_<t, xᵢ))
 * π_τ = softmax(logits/τ) at the sampling temperature τ (`temperature`, default 1): the policy the
 * sequences were drawn from. The KL term is between the T = 1 policies, exact over the vocabulary
 * at each response position of every sequence (whatever its weight); `refLogp` is the frozen
 * reference's log-softmax, a constant.
 */
export function weightedLoss(
  W: WeightMap,
  k: ForwardConstants,
  batch: PairBatch,
  weights: ArrayLike<number>,
  opts: { klBeta: number; refLogp?: tf.Tensor2D; dropoutSeed?: number; temperature?: number },
): tf.Scalar {
  const coef = new Float32Array(batch.B * batch.T)
  const klCoef = new Float32Array(batch.B * batch.T)
  for (let b = 0; b < batch.B; b++) {
    for (let t = 0; t < batch.T; t++) {
      const r = batch.response[b * batch.T + t]!
      coef[b * batch.T + t] = r * weights[b]!
      klCoef[b * batch.T + t] = r / batch.B
    }
  }
  // Not destructured: `logp` (a getter at τ ≠ 1) is read only where the KL term needs it.
  const probs = tokenLogProbs(W, k, batch, opts.dropoutSeed, opts.temperature)
  let loss = tf.neg(tf.sum(tf.mul(probs.tokenLogp, tf.tensor1d(coef)))) as tf.Scalar
  if (opts.klBeta > 0 && opts.refLogp) {
    const logp = probs.logp
    const kl = tf.sum(tf.mul(tf.exp(logp), tf.sub(logp, opts.refLogp)), 1)
    loss = tf.add(loss, tf.mul(tf.sum(tf.mul(kl, tf.tensor1d(klCoef))), opts.klBeta))
  }
  return loss
}
