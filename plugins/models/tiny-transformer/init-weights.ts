import { createRng } from 'bonbench'
import type { ModelConfig } from './model-config.js'
import { paramSpecs, sizeOf } from './model-config.js'

/**
 * Initial weights as plain arrays, drawn from a seeded stream in JavaScript (Box–Muller), so a
 * seed gives bit-identical weights on every backend and in every worker.
 */
export function initWeights(cfg: ModelConfig, seed: number): Float32Array[] {
  const rng = createRng(seed)
  const gauss = (): number => {
    const u = Math.max(rng.next(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
  }
  return paramSpecs(cfg).map((spec) => {
    const data = new Float32Array(sizeOf(spec.shape))
    if (spec.init === 'ones') data.fill(1)
    else if (spec.init === 'normal') for (let i = 0; i < data.length; i++) data[i] = gauss() * spec.std!
    return data
  })
}
