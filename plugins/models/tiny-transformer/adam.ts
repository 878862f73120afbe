import { tf } from './tf.js'

/**
 * Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) with bias correction, on tfjs variables. Every engine starts
 * with zero moments and t = 0, because every fine-tuning starts from a fresh optimizer (the rule
 * in core/plugin-api/model.ts); only a resumable checkpoint (training-state.ts) saves and restores
 * this state, to continue an interrupted training exactly.
 */
export class Adam {
  t = 0
  readonly m: tf.Variable[]
  readonly v: tf.Variable[]
  constructor(shapes: number[][]) {
    const zeros = (shape: number[]) => {
      const init = tf.zeros(shape)
      const v = tf.variable(init, false)
      init.dispose()
      return v
    }
    this.m = shapes.map(zeros)
    this.v = shapes.map(zeros)
  }

  /** One step: params ← params − lr·m̂/(√v̂ + ε) with gradients multiplied by `scale` (clipping). */
  step(params: tf.Variable[], grads: tf.Tensor[], lr: number, scale: number): void {
    const b1 = 0.9
    const b2 = 0.999
    this.t++
    const c1 = 1 - Math.pow(b1, this.t)
    const c2 = 1 - Math.pow(b2, this.t)
    const stepSize = (lr * Math.sqrt(c2)) / c1
    const eps = 1e-8 * Math.sqrt(c2)
    tf.tidy(() => {
      params.forEach((p, i) => {
        const g = scale === 1 ? grads[i]! : tf.mul(grads[i]!, scale)
        const m = tf.add(tf.mul(this.m[i]!, b1), tf.mul(g, 1 - b1))
        const v = tf.add(tf.mul(this.v[i]!, b2), tf.mul(tf.mul(g, g), 1 - b2))
        this.m[i]!.assign(m)
        this.v[i]!.assign(v)
        p.assign(tf.sub(p, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), stepSize)))
      })
    })
  }

  /** Sets the step count and both moments (a resumed training), exactly as saved. */
  restore(t: number, m: readonly Float32Array[], v: readonly Float32Array[]): void {
    this.t = t
    const assign = (vars: tf.Variable[], values: readonly Float32Array[]) =>
      vars.forEach((x, i) => {
        const value = tf.tensor(values[i]!, x.shape)
        x.assign(value)
        value.dispose()
      })
    assign(this.m, m)
    assign(this.v, v)
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose()
  }
}
