import { tf } from './tf.js'
import { dense, gelu, layerNorm, layerNormForward, linear, oneHotFloat, rotaryTables } from './layers.js'
import type { ModelConfig } from './model-config.js'
import { BOS, PAD } from './tokenizer.js'

/** Parameters by name (tf.Variables while training, any tensors for a frozen copy). */
export type WeightMap = Record<string, tf.Tensor>

/** Constant tensors one model keeps for its whole life (created once, freed in `dispose`). */
export class ForwardConstants {
  readonly cos?: tf.Tensor2D
  readonly sin?: tf.Tensor2D
  readonly rot?: tf.Tensor2D
  /** Added to the logits: −1e9 on PAD and BOS, which the model never emits. */
  readonly vocabBias: tf.Tensor1D
  readonly #masks = new Map<number, tf.Tensor2D>()

  constructor(readonly cfg: ModelConfig) {
    const d = cfg.width / cfg.heads
    if (cfg.positions === 'rotary') {
      const t = rotaryTables(cfg.context, d)
      this.cos = tf.keep(tf.tensor2d(t.cos, [cfg.context, d]))
      this.sin = tf.keep(tf.tensor2d(t.sin, [cfg.context, d]))
      this.rot = tf.keep(tf.tensor2d(t.rot, [d, d]))
    }
    const bias = new Float32Array(cfg.vocab)
    bias[PAD] = bias[BOS] = -1e9
    this.vocabBias = tf.keep(tf.tensor1d(bias))
  }

  /** The [T, T] causal mask (0 on and below the diagonal, −1e9 above). */
  causal(T: number): tf.Tensor2D {
    let mask = this.#masks.get(T)
    if (!mask) {
      const data = new Float32Array(T * T)
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) data[i * T + j] = -1e9
      mask = tf.keep(tf.tensor2d(data, [T, T]))
      this.#masks.set(T, mask)
    }
    return mask
  }

  dispose(): void {
    for (const t of [this.cos, this.sin, this.rot, this.vocabBias, ...this.#masks.values()]) t?.dispose()
    this.#masks.clear()
  }
}

/** Applies rotary position embedding to x: [rows, H, T, d]-ordered as [B, T, H, d] flattened to 2-D. */
function rope(x: tf.Tensor2D, k: ForwardConstants, B: number, T: number): tf.Tensor2D {
  const { heads: H, width } = k.cfg
  const d = width / H
  const rotated = tf.reshape(dense(tf.reshape(x, [B * T * H, d]), k.rot!), [B, T, H, d])
  const cos = tf.reshape(tf.slice(k.cos!, [0, 0], [T, d]), [1, T, 1, d])
  const sin = tf.reshape(tf.slice(k.sin!, [0, 0], [T, d]), [1, T, 1, d])
  const out = tf.add(tf.mul(tf.reshape(x, [B, T, H, d]), cos), tf.mul(rotated, sin))
  return tf.reshape(out, [B * T, width])
}

/**
 * Causal multi-head attention of the full-sequence pass: q, k, v [B·T, w] → [B·T, w]. Uses
 * batched matMuls (slow on WASM, ~1/10 of the 2-D rate, but attention is a small share of the
 * FLOPs here; per-sequence 2-D products were measured slower because WASM slicing is slow).
 */
function attention(q: tf.Tensor2D, kk: tf.Tensor2D, v: tf.Tensor2D, k: ForwardConstants, B: number, T: number): tf.Tensor2D {
  const { heads: H, width: w } = k.cfg
  const d = w / H
  const heads = (t: tf.Tensor2D) => tf.reshape(tf.transpose(tf.reshape(t, [B, T, H, d]), [0, 2, 1, 3]), [B * H, T, d]) as tf.Tensor3D
  const scores = tf.add(tf.mul(tf.matMul(heads(q), heads(kk), false, true), 1 / Math.sqrt(d)), k.causal(T))
  const att = tf.matMul(tf.softmax(scores), heads(v))
  return tf.reshape(tf.transpose(tf.reshape(att, [B, H, T, d]), [0, 2, 1, 3]), [B * T, w]) as tf.Tensor2D
}

function maybeDropout(x: tf.Tensor, rate: number, seed: number | undefined): tf.Tensor {
  return rate > 0 && seed !== undefined ? tf.dropout(x, rate, undefined, seed) : x
}

/**
 * The full-sequence forward pass (training and scoring): inputs are B rows of T token ids
 * (flattened, right-padded); returns the [B·T, V] logits with the PAD/BOS bias applied.
 * Differentiable on every backend: embeddings are one-hot matMuls (tf.gather has no gradient
 * on WASM), dense layers use `dense`. Dropout runs only when `dropoutSeed` is given.
 */
export function forwardLogits(W: WeightMap, k: ForwardConstants, inputs: tf.Tensor1D, B: number, T: number, dropoutSeed?: number): tf.Tensor2D {
  const { vocab: V, width: w, layers: L, dropout } = k.cfg
  let x: tf.Tensor2D = dense(oneHotFloat(inputs, V) as tf.Tensor2D, W['tok_emb'] as tf.Tensor2D)
  if (k.cfg.positions === 'learned') {
    const pos = tf.slice(W['pos_emb']!, [0, 0], [T, w])
    x = tf.reshape(tf.add(tf.reshape(x, [B, T, w]), pos), [B * T, w])
  }
  for (let l = 0; l < L; l++) {
    const p = `h${l}.`
    const h = layerNorm(x, W[p + 'ln1.g']!, W[p + 'ln1.b']!) as tf.Tensor2D
    const qkv = linear(h, W[p + 'attn.wqkv']!, W[p + 'attn.bqkv']!)
    let [q, kk, v] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
    if (k.cfg.positions === 'rotary') {
      q = rope(q, k, B, T)
      kk = rope(kk, k, B, T)
    }
    const merged = attention(q, kk, v, k, B, T)
    const o = linear(merged, W[p + 'attn.wo']!, W[p + 'attn.bo']!)
    x = tf.add(x, maybeDropout(o, dropout, dropoutSeed === undefined ? undefined : dropoutSeed + 2 * l))
    const h2 = layerNorm(x, W[p + 'ln2.g']!, W[p + 'ln2.b']!) as tf.Tensor2D
    const m = linear(gelu(linear(h2, W[p + 'mlp.w1']!, W[p + 'mlp.b1']!)) as tf.Tensor2D, W[p + 'mlp.w2']!, W[p + 'mlp.b2']!)
    x = tf.add(x, maybeDropout(m, dropout, dropoutSeed === undefined ? undefined : dropoutSeed + 2 * l + 1))
  }
  const hf = layerNorm(x, W['lnf.g']!, W['lnf.b']!) as tf.Tensor2D
  return tf.add(linear(hf, W['head.w']!, W['head.b']!), k.vocabBias)
}

/** Per-layer key/value cache of incremental decoding: K and V as [B·H, s, d] (growing along s, a contiguous copy). */
export interface KvCache {
  k: tf.Tensor3D[]
  v: tf.Tensor3D[]
}

/**
 * One incremental decoding step: every row feeds one token at the same position `pos` (rows
 * are left-aligned, so position = step), attends over its cached keys 0…pos, and returns the
 * [B, V] logits and the grown cache. Every op is row-wise, so a row's numbers do not depend on
 * which other rows share the batch. Forward only; call inside tf.tidy.
 */
export function decodeStep(
  W: WeightMap,
  k: ForwardConstants,
  tokens: tf.Tensor1D,
  pos: number,
  cache: KvCache | undefined,
): { logits: tf.Tensor2D; cache: KvCache } {
  const { width: w, heads: H, layers: L } = k.cfg
  const d = w / H
  const B = tokens.shape[0]
  // On WASM a one-hot product (XNNPACK: 0 + 0·e … + 1·x + 0·e … = x exactly) is 3–4× faster than
  // its Gather kernel; on cpu gather is the faster of the two. Both give the embedding rows' bits.
  let x = (
    tf.getBackend() === 'wasm' ? tf.matMul(oneHotFloat(tokens, k.cfg.vocab), W['tok_emb'] as tf.Tensor2D) : tf.gather(W['tok_emb']!, tokens)
  ) as tf.Tensor2D
  if (k.cfg.positions === 'learned') x = tf.add(x, tf.slice(W['pos_emb']!, [pos, 0], [1, w]))
  const next: KvCache = { k: [], v: [] }
  const rope1 = (t: tf.Tensor2D): tf.Tensor2D => {
    const flat = tf.reshape(t, [B * H, d]) as tf.Tensor2D
    const cos = tf.slice(k.cos!, [pos, 0], [1, d])
    const sin = tf.slice(k.sin!, [pos, 0], [1, d])
    return tf.add(tf.mul(flat, cos), tf.mul(tf.matMul(flat, k.rot!), sin))
  }
  for (let l = 0; l < L; l++) {
    const p = `h${l}.`
    const h = layerNormForward(x, W[p + 'ln1.g']!, W[p + 'ln1.b']!) as tf.Tensor2D
    const qkv = tf.add(tf.matMul(h, W[p + 'attn.wqkv'] as tf.Tensor2D), W[p + 'attn.bqkv']!)
    let [q, kk, v] = tf.split(qkv, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]
    if (k.cfg.positions === 'rotary') {
      q = rope1(q)
      kk = rope1(kk)
    }
    const kNew = tf.reshape(kk, [B * H, 1, d]) as tf.Tensor3D
    const vNew = tf.reshape(v, [B * H, 1, d]) as tf.Tensor3D
    const K = cache ? tf.concat([cache.k[l]!, kNew], 1) : kNew
    const Vc = cache ? tf.concat([cache.v[l]!, vNew], 1) : vNew
    next.k.push(K)
    next.v.push(Vc)
    const scores = tf.mul(tf.matMul(tf.reshape(q, [B * H, 1, d]) as tf.Tensor3D, K, false, true), 1 / Math.sqrt(d))
    const att = tf.reshape(tf.matMul(tf.softmax(scores), Vc), [B, w]) as tf.Tensor2D
    x = tf.add(x, tf.add(tf.matMul(att, W[p + 'attn.wo'] as tf.Tensor2D), W[p + 'attn.bo']!))
    const h2 = layerNormForward(x, W[p + 'ln2.g']!, W[p + 'ln2.b']!) as tf.Tensor2D
    const hid = gelu(tf.add(tf.matMul(h2, W[p + 'mlp.w1'] as tf.Tensor2D), W[p + 'mlp.b1']!)) as tf.Tensor2D
    x = tf.add(x, tf.add(tf.matMul(hid, W[p + 'mlp.w2'] as tf.Tensor2D), W[p + 'mlp.b2']!))
  }
  const hf = layerNormForward(x, W['lnf.g']!, W['lnf.b']!) as tf.Tensor2D
  const logits = tf.add(tf.add(tf.matMul(hf, W['head.w'] as tf.Tensor2D), W['head.b']!), k.vocabBias) as tf.Tensor2D
  return { logits, cache: next }
}
