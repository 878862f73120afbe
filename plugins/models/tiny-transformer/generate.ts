import { tf } from './tf.js'
import type { Completion, Rng } from 'bonbench'
import { BenchError, createRng, yieldToEventLoop } from 'bonbench'
import { decodeStep } from './forward.js'
import type { ForwardConstants, KvCache, WeightMap } from './forward.js'
import { pickToken } from './pick-token.js'
import { promptIds } from './sequences.js'
import type { CharTokenizer } from './tokenizer.js'
import { EOS } from './tokenizer.js'

/** One completion to draw: a request expanded to a single row with its own seed. */
export interface RowRequest {
  prompt: string
  /** The row's own seed (the request seed mixed with the completion index): fixes its random stream. */
  seed: number
  temperature: number
  topP: number
  maxTokens?: number
  stop: string[]
}

/** Text one row gained in a decode step: its index among the rows of the call, and the text. */
export type RowText = [row: number, text: string]

/** Called once per decode step with the rows that gained text in it (never an empty list). */
export type OnRowText = (pieces: RowText[]) => void

/** What generation needs from a model. */
export interface DecodeModel {
  W: WeightMap
  consts: ForwardConstants
  tokenizer: CharTokenizer
}

interface RowState {
  ids: number[]
  rng: Rng
  tokens: number[]
  logProbs: number[]
  text: string
  /** Characters of `text` already reported through `onText`. */
  sent: number
  done?: Completion['finishReason']
  /** The stop string that ended the row, when one did (`done` is then 'stop'). */
  stopString?: string
}

function disposeCache(cache: KvCache | undefined): void {
  if (!cache) return
  for (const t of [...cache.k, ...cache.v]) t.dispose()
}

/**
 * Picks rows of the cache (compaction, prefix expansion). Done as a one-hot selection matMul on a
 * 2-D view: exact (1·x + 0·y = x) and several times faster on WASM than tf.gather.
 */
function gatherRows(cache: KvCache, rows: number[], H: number): KvCache {
  return tf.tidy(() => {
    const B = cache.k[0]!.shape[0] / H
    const oneHot = new Float32Array(rows.length * B)
    rows.forEach((r, i) => (oneHot[i * B + r] = 1))
    const select = tf.tensor2d(oneHot, [rows.length, B])
    const pick = (t: tf.Tensor3D) =>
      tf.reshape(tf.matMul(select, tf.reshape(t, [B, -1]) as tf.Tensor2D), [rows.length * H, t.shape[1], t.shape[2]]) as tf.Tensor3D
    return { k: cache.k.map(pick), v: cache.v.map(pick) }
  })
}

/**
 * The most decoding steps any of the `keep` rows can still take after position `pos`: its prompt
 * tokens still to feed plus the tokens `maxTokens` still allows, and never past the context.
 */
function stepsLeft(rows: RowState[], reqs: RowRequest[], keep: ReadonlyArray<readonly [number, number]>, pos: number, context: number): number {
  let most = 0
  for (const [i] of keep) {
    const max = reqs[i]!.maxTokens
    const left = max === undefined ? context - pos : Math.max(0, rows[i]!.ids.length - pos) + max - rows[i]!.tokens.length
    most = Math.max(most, Math.min(context - pos, left))
  }
  return most
}

/**
 * Whether dropping finished rows saves more than it costs, counted in multiply-adds: the
 * selection matMul of `gatherRows` over every K and V tensor (kept × batch × cached positions ×
 * width, so O(rows²)) against the finished rows' share of the steps left (each row-step: the
 * dense layers and the head, and attention over the cache). Near the end of a batch (the last
 * rows stop within a few steps) the copy costs more than it saves. Only speed depends on it:
 * every row's numbers are independent of the rows beside it.
 */
function compactionPays(cfg: { layers: number; width: number; vocab: number }, batch: number, keep: number, pos: number, steps: number): boolean {
  const { layers: L, width: w, vocab: V } = cfg
  const copy = 2 * L * keep * batch * pos * w
  const rowStep = L * 12 * w * w + w * V + 2 * L * pos * w
  return (batch - keep) * steps * rowStep >= copy
}

/**
 * Runs one decode step for the whole batch and reads its logits back: the step's one device read,
 * awaited (never `dataSync()`, which tfjs-webgpu cannot do in Node).
 */
async function step(
  model: DecodeModel,
  tokens: number[],
  pos: number,
  cache: KvCache | undefined,
): Promise<{ logits: Float32Array<ArrayBufferLike>; cache: KvCache }> {
  const out = tf.tidy(() => {
    const r = decodeStep(model.W, model.consts, tf.tensor1d(tokens, 'int32'), pos, cache)
    return { logits: r.logits, k: r.cache.k, v: r.cache.v }
  }) as unknown as { logits: tf.Tensor2D; k: tf.Tensor3D[]; v: tf.Tensor3D[] }
  disposeCache(cache)
  let logits: Float32Array
  try {
    logits = (await out.logits.data()) as Float32Array
  } catch (error) {
    disposeCache({ k: out.k, v: out.v })
    throw error
  } finally {
    out.logits.dispose()
  }
  return { logits, cache: { k: out.k, v: out.v } }
}

/** Appends a generated token to a row and decides whether the row is finished. */
function accept(model: DecodeModel, row: RowState, req: RowRequest, token: number, logProb: number, nextPos: number): void {
  row.tokens.push(token)
  row.logProbs.push(logProb)
  if (token === EOS) {
    row.done = 'eos'
    return
  }
  row.text += model.tokenizer.tokenText(token)
  for (const stop of req.stop) {
    if (stop.length > 0 && row.text.endsWith(stop)) {
      row.text = row.text.slice(0, row.text.length - stop.length)
      // Every token is one character, so drop tokens until they spell `text` again.
      while (model.tokenizer.decode(row.tokens).length > row.text.length) {
        row.tokens.pop()
        row.logProbs.pop()
      }
      row.done = 'stop'
      row.stopString = stop
      return
    }
  }
  if ((req.maxTokens !== undefined && row.tokens.length >= req.maxTokens) || nextPos >= model.consts.cfg.context) row.done = 'length'
}

/** Length of the longest end of `text` that begins some stop string, and so may still be cut off. */
function heldBack(text: string, stops: string[]): number {
  let held = 0
  for (const stop of stops)
    for (let k = Math.min(stop.length - 1, text.length); k > held; k--)
      if (text.endsWith(stop.slice(0, k))) {
        held = k
        break
      }
  return held
}

/** The text of `row` not yet reported and never to be cut: all of it once the row is done. */
function unsent(row: RowState, req: RowRequest): string {
  const upTo = row.done ? row.text.length : row.text.length - heldBack(row.text, req.stop)
  if (upTo <= row.sent) return ''
  const piece = row.text.slice(row.sent, upTo)
  row.sent = upTo
  return piece
}

/**
 * Samples one completion per row with a KV cache. Rows are left-aligned and advance one
 * position per step; a row still inside its prompt is fed its next prompt token (teacher
 * forcing), so every row's numbers are independent of the batch it shares. Copies of the same
 * prompt share the steps up to the shortest prompt, then the cache is copied out per row.
 * Finished rows are dropped from the batch; the loop ends when every row is done. Yields to the
 * event loop about every 50 ms so Ctrl-C, the UI and abort signals stay live on the caller's thread.
 *
 * With `onText`, each step reports the text its rows gained, holding back an end that may begin a
 * stop string (so nothing reported is cut later) until the row is done; a row's reported pieces
 * concatenate to its `text`. It then yields to the event loop after every step that reported
 * text, so a caller on this thread (an HTTP server) can send it at once. The draws are the same
 * with and without it.
 */
export async function generateRows(model: DecodeModel, reqs: RowRequest[], signal?: AbortSignal, onText?: OnRowText): Promise<Completion[]> {
  const { context, heads: H, vocab: V } = model.consts.cfg
  const rows: RowState[] = reqs.map((r) => ({
    ids: promptIds(model.tokenizer, r.prompt, context),
    rng: createRng(r.seed),
    tokens: [],
    logProbs: [],
    text: '',
    sent: 0,
  }))
  reqs.forEach((r, i) => {
    if (r.maxTokens !== undefined && r.maxTokens <= 0) rows[i]!.done = 'length'
  })
  const live = rows.map((_, i) => i).filter((i) => !rows[i]!.done)
  if (live.length > 0) {
    // Shared prefix phase over distinct prompts.
    // One pass: the first row of each distinct prompt runs the prefix; `slot` maps rows to it.
    const slotOf = new Map<string, number>()
    const uniqueRow: number[] = []
    const slot = live.map((i) => {
      const key = rows[i]!.ids.join(',')
      let u = slotOf.get(key)
      if (u === undefined) {
        u = uniqueRow.push(i) - 1
        slotOf.set(key, u)
      }
      return u
    })
    const minLen = Math.min(...live.map((i) => rows[i]!.ids.length))
    let cache: KvCache | undefined
    let logits: Float32Array<ArrayBufferLike> = new Float32Array(0)
    for (let pos = 0; pos < minLen; pos++) {
      if (signal?.aborted) {
        disposeCache(cache)
        throw abortError()
      }
      ;({ logits, cache } = await step(
        model,
        uniqueRow.map((i) => rows[i]!.ids[pos]!),
        pos,
        cache,
      ))
    }
    if (slot.length !== uniqueRow.length || slot.some((u, b) => u !== b)) {
      const expanded = gatherRows(cache!, slot, H)
      disposeCache(cache)
      cache = expanded
    }
    let rowLogits: Float32Array<ArrayBufferLike> = new Float32Array(live.length * V)
    slot.forEach((u, b) => rowLogits.set(logits.subarray(u * V, (u + 1) * V), b * V))
    let batch = live
    // Position pos − 1 has been processed for every row in `batch`; rowLogits predict position pos.
    let lastYield = performance.now()
    let reported = false
    for (let pos = minLen; ; pos++) {
      if (reported || performance.now() - lastYield > 50) {
        await yieldToEventLoop()
        lastYield = performance.now()
      }
      if (signal?.aborted) {
        disposeCache(cache)
        throw abortError()
      }
      batch.forEach((i, b) => {
        const row = rows[i]!
        if (row.done || pos < row.ids.length) return
        const req = reqs[i]!
        const pick = pickToken(rowLogits, b * V, V, req.temperature, req.topP, row.rng.next())
        accept(model, row, req, pick.token, pick.logProb, pos)
      })
      if (onText) {
        const pieces: RowText[] = []
        for (const i of batch) {
          const piece = unsent(rows[i]!, reqs[i]!)
          if (piece) pieces.push([i, piece])
        }
        reported = pieces.length > 0
        try {
          if (reported) onText(pieces)
        } catch (error) {
          disposeCache(cache)
          throw error
        }
      }
      const keep = batch.map((i, b) => [i, b] as const).filter(([i]) => !rows[i]!.done)
      if (keep.length === 0) {
        disposeCache(cache)
        break
      }
      // Dropping rows copies the cache, so wait until an eighth of the batch is finished, and only
      // when the steps left can repay the copy.
      if (
        (batch.length - keep.length) * 8 >= batch.length &&
        compactionPays(model.consts.cfg, batch.length, keep.length, pos, stepsLeft(rows, reqs, keep, pos, context))
      ) {
        const compact = gatherRows(
          cache!,
          keep.map(([, b]) => b),
          H,
        )
        disposeCache(cache)
        cache = compact
        batch = keep.map(([i]) => i)
      }
      const feed = batch.map((i) => {
        const row = rows[i]!
        if (row.done) return EOS
        return pos < row.ids.length ? row.ids[pos]! : row.tokens[row.tokens.length - 1]!
      })
      ;({ logits: rowLogits, cache } = await step(model, feed, pos, cache))
    }
  }
  return rows.map((row) => ({
    text: row.text,
    tokens: row.tokens,
    logProb: row.logProbs.reduce((a, b) => a + b, 0),
    tokenLogProbs: row.logProbs,
    finishReason: row.done ?? 'length',
    ...(row.stopString !== undefined ? { stopString: row.stopString } : {}),
  }))
}

/** The error of an aborted sample call (in process, or in the sampling pool). */
export function abortError(cause?: unknown): BenchError {
  return new BenchError('BENCH_ABORTED', 'bonbench:tiny-transformer: sampling was aborted', cause === undefined ? undefined : { cause })
}
