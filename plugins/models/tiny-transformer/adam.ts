import * as tf from '@tensorflow/tfjs'

/** Adam's moments and step count as plain arrays (cloning and worker transfer). */
export interface AdamState {
  t: number
  m: Float32Array[]
  v: Float32Array[]
}

/**
 * Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) with bias correction, on tfjs variables, so the whole state
 * can be read and written (unlike tf.train.adam's): `clone()` copies it exactly.
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

  getState(): AdamState {
    return { t: this.t, m: this.m.map((x) => x.dataSync() as Float32Array), v: this.v.map((x) => x.dataSync() as Float32Array) }
  }

  setState(state: AdamState): void {
    this.t = state.t
    const load = (vars: tf.Variable[], arrays: Float32Array[]) =>
      arrays.forEach((a, i) => {
        const t = tf.tensor(a, vars[i]!.shape)
        vars[i]!.assign(t)
        t.dispose()
      })
    load(this.m, state.m)
    load(this.v, state.v)
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose()
  }
}
