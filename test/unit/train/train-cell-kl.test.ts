import { describe, expect, it } from 'vitest'
import type { VerifierPlugin } from '../../../core/plugin-api/verifier.js'
import { trainCell } from '../../../core/train/train-cell.js'
import { formatChoices, softmax, tabular, type TabularInstance } from '../../../plugins/models/tabular/index.js'
import { vbon } from '../../../plugins/strategies/vbon.js'
import { fdGrad } from '../../helpers/finite-differences.js'

// DESIGN §2.2: L = −Σ wᵢ log π(yᵢ|xᵢ) plus β·KL(π‖π_ref). The KL term does not depend on the
// weights: a prompt whose samples all weigh 0 (vbon under a verifier that scores everything alike)
// still gets its KL step. The trainer used to drop such sequences, and the KL with them.
const prompts = ['q1: which?', 'q2: which?'].map((q) => `${q}\n${formatChoices(['a', 'b', 'c'])}\nanswer:`)
const ctx = { seed: 5, corpus: '', concurrency: 1 }
const make = async () => (await tabular({ answers: ['a', 'b', 'c'] }).create(ctx)) as TabularInstance
// Every sample scores the same: F̂_ref is 1 everywhere, so vbon's weights are all 0.
const flat: VerifierPlugin = {
  name: 'flat',
  kind: 'verifier',
  meta: { version: '1.0.0' },
  score: async (batch) => batch.map(() => ({ score: 0.5, reward: 0, pass: false, reason: 'flat' })),
}

/** KL(softmax(θ) ‖ softmax(ref)), written out. */
function kl(theta: number[], ref: number[]): number {
  const p = softmax(theta)
  const q = softmax(ref)
  return p.reduce((acc, pk, k) => acc + pk * Math.log(pk / q[k]!), 0)
}

describe('trainCell with a KL penalty', () => {
  it('takes the β·KL step on prompts whose weights are all 0: θ_x − lr·β·∇KL_x / |X|, by finite differences', async () => {
    const policy = await make()
    const reference = await make()
    const refs = prompts.map((x) => policy.logits(x))
    const start = [
      [2, 0, -1],
      [-0.5, 1.5, 0.25],
    ]
    prompts.forEach((x, i) => policy.setLogits(x, start[i]!))
    const strategy = vbon({ 'kl-beta': 0.8 })
    const logs: Array<{ loss: number; gradNorm: number }> = []
    await trainCell({
      cellId: 'kl-only',
      model: policy,
      reference,
      strategy,
      nTrain: 2,
      lambda: 0,
      temperature: 1,
      seed: 7,
      problems: prompts.map((prompt, i) => ({ id: `q${i + 1}`, prompt })),
      judges: { reward: flat, selector: flat, concurrency: 1 },
      steps: 1,
      batchPrompts: 2,
      learningRate: 0.5,
      generation: {},
      onStep: (log) => void logs.push(log),
    })
    expect(logs).toHaveLength(1)
    expect(logs[0]!.gradNorm).toBeGreaterThan(0)
    prompts.forEach((x, i) => {
      const g = fdGrad((t) => kl(t, refs[i]!), start[i]!)
      policy.logits(x).forEach((l, k) => expect(l).toBeCloseTo(start[i]![k]! - (0.5 * 0.8 * g[k]!) / prompts.length, 8))
    })
    expect(logs[0]!.loss).toBeCloseTo((0.8 * (kl(start[0]!, refs[0]!) + kl(start[1]!, refs[1]!))) / 2, 10)
  })
})
