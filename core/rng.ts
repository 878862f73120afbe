import type { Rng } from './plugin-api/common.js'

/** Mixes a 32-bit state (splitmix32 finaliser); used to derive seeds from labels. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

function hashLabel(label: string | number): number {
  const text = String(label)
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

/** mulberry32's step: the state advances by this constant. */
const STEP = 0x6d2b79f5

/** mulberry32's output for a state: a number in [0, 1). */
function unit(state: number): number {
  let t = Math.imul(state ^ (state >>> 15), state | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** A seeded mulberry32 stream: fast, 32-bit state, good enough for sampling and bootstrap. */
export function createRng(seed: number): Rng {
  let state = mix32(seed >>> 0)
  const rng: Rng = {
    next() {
      state = (state + STEP) | 0
      return unit(state)
    },
    int(n: number) {
      return Math.floor(rng.next() * n)
    },
    fork(label: string | number) {
      return createRng(mix32(state ^ hashLabel(label)) ^ hashLabel(label))
    },
  }
  return rng
}

/** Derives a child seed from a seed and labels, without consuming any stream. */
export function deriveSeed(seed: number, ...labels: Array<string | number>): number {
  let h = mix32(seed >>> 0)
  for (const label of labels) h = mix32(h ^ hashLabel(label))
  return h
}

/**
 * The integers of `createRng(seed).int(n)`, the same ones in the same order, drawn a batch per
 * call with the state in a local variable: the hot loops of the bootstraps (core/metrics) draw
 * about 300 per replicate, and a call into the closure per draw was a third of their time.
 */
export class IntDraws {
  #state: number

  constructor(seed: number) {
    this.#state = mix32(seed >>> 0)
  }

  /** `into[i] = int(n)` for each i, in order. */
  fill(n: number, into: Int32Array): void {
    let state = this.#state
    for (let i = 0; i < into.length; i++) {
      state = (state + STEP) | 0
      into[i] = Math.floor(unit(state) * n)
    }
    this.#state = state
  }

  /** `draws` times, `counts[int(n)] += 1`: the multiplicities of a resample of n items with replacement. */
  count(n: number, draws: number, counts: Float64Array): void {
    let state = this.#state
    for (let i = 0; i < draws; i++) {
      state = (state + STEP) | 0
      counts[Math.floor(unit(state) * n)]!++
    }
    this.#state = state
  }

  /** `draws` times, `counts[items[int(items.length)]] += 1`: a resample among `items` (indices into counts). */
  countAmong(items: Int32Array, draws: number, counts: Float64Array): void {
    let state = this.#state
    const n = items.length
    for (let i = 0; i < draws; i++) {
      state = (state + STEP) | 0
      counts[items[Math.floor(unit(state) * n)]!]!++
    }
    this.#state = state
  }
}
