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

/** A seeded mulberry32 stream: fast, 32-bit state, good enough for sampling and bootstrap. */
export function createRng(seed: number): Rng {
  let state = mix32(seed >>> 0)
  const rng: Rng = {
    next() {
      state = (state + 0x6d2b79f5) | 0
      let t = state
      t = Math.imul(t ^ (t >>> 15), t | 1)
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
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
