import type { ResolvedTinyTransformerOptions } from './options.js'

/** The architecture: everything that fixes the parameter shapes and the function computed. */
export interface ModelConfig {
  vocab: number
  layers: number
  width: number
  heads: number
  context: number
  mlpRatio: number
  dropout: number
  positions: 'learned' | 'rotary'
}

/** Picks the architecture fields out of resolved options, in a fixed key order (it is hashed). */
export function modelConfig(options: ResolvedTinyTransformerOptions, vocab: number): ModelConfig {
  const { layers, width, heads, context, mlpRatio, dropout, positions } = options
  return { vocab, layers, width, heads, context, mlpRatio, dropout, positions }
}

/** One parameter tensor: its name, shape and how it is initialised. */
export interface ParamSpec {
  name: string
  shape: number[]
  init: 'normal' | 'zeros' | 'ones'
  std?: number
}

/**
 * The parameter list in its canonical order (the order of weights.bin). GPT-2 initialisation:
 * N(0, 0.02), residual output projections scaled by 1/√(2·layers), LayerNorm gains 1.
 */
export function paramSpecs(cfg: ModelConfig): ParamSpec[] {
  const { vocab: V, width: w, context: C, layers: L, mlpRatio } = cfg
  const std = 0.02
  const resid = std / Math.sqrt(2 * L)
  const specs: ParamSpec[] = [{ name: 'tok_emb', shape: [V, w], init: 'normal', std }]
  if (cfg.positions === 'learned') specs.push({ name: 'pos_emb', shape: [C, w], init: 'normal', std: 0.01 })
  for (let l = 0; l < L; l++) {
    specs.push(
      { name: `h${l}.ln1.g`, shape: [w], init: 'ones' },
      { name: `h${l}.ln1.b`, shape: [w], init: 'zeros' },
      { name: `h${l}.attn.wqkv`, shape: [w, 3 * w], init: 'normal', std },
      { name: `h${l}.attn.bqkv`, shape: [3 * w], init: 'zeros' },
      { name: `h${l}.attn.wo`, shape: [w, w], init: 'normal', std: resid },
      { name: `h${l}.attn.bo`, shape: [w], init: 'zeros' },
      { name: `h${l}.ln2.g`, shape: [w], init: 'ones' },
      { name: `h${l}.ln2.b`, shape: [w], init: 'zeros' },
      { name: `h${l}.mlp.w1`, shape: [w, mlpRatio * w], init: 'normal', std },
      { name: `h${l}.mlp.b1`, shape: [mlpRatio * w], init: 'zeros' },
      { name: `h${l}.mlp.w2`, shape: [mlpRatio * w, w], init: 'normal', std: resid },
      { name: `h${l}.mlp.b2`, shape: [w], init: 'zeros' },
    )
  }
  specs.push(
    { name: 'lnf.g', shape: [w], init: 'ones' },
    { name: 'lnf.b', shape: [w], init: 'zeros' },
    { name: 'head.w', shape: [w, V], init: 'normal', std },
    { name: 'head.b', shape: [V], init: 'zeros' },
  )
  return specs
}

/** Number of scalars in a shape. */
export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1)
}

/** Total trainable parameters of a configuration. */
export function parameterCount(cfg: ModelConfig): number {
  return paramSpecs(cfg).reduce((n, s) => n + sizeOf(s.shape), 0)
}
