import { describe, expect, it } from 'vitest'
import type { VerifierPlugin } from '../../../core/plugin-api/verifier.js'
import { trainCell } from '../../../core/train/train-cell.js'
import { formatChoices, softmax, tabular, type TabularInstance } from '../../../plugins/models/tabular/index.js'
import { sft } from '../../../plugins/strategies/sft.js'
import { fdGrad } from '../../helpers/finite-differences.js'

// DESIGN §2.2: π is the policy sampled at the cell's temperature T, so the trainer's step is on
// −Σ wᵢ log π_T(yᵢ|xᵢ). The trainer hands the cell's T to update(): at T = 0.5 an SFT step on the
// expert moves the logits by −lr·∇θ(−log softmax(θ/T)_expert), not by the T = 1 step.
const prompt = `q: which?\n${formatChoices(['a', 'b', 'c'])}\nanswer:`
const exact: VerifierPlugin = {
  name: 'exact',
  kind: 'verifier',
  meta: { version: '1.0.0' },
  score: async (batch) => batch.map(({ completion }) => ({ score: completion === 'a' ? 1 : 0, reward: completion === 'a' ? 1 : 0, reason: '' })),
}

async function sftStep(temperature: number): Promise<number[]> {
  const policy = (await tabular({ answers: ['a', 'b', 'c'] }).create({ seed: 5, corpus: '', concurrency: 1 })) as TabularInstance
  policy.setLogits(prompt, [0.4, 1.1, -0.3])
  await trainCell({
    cellId: 'sft-t',
    model: policy,
    reference: policy,
    strategy: sft(),
    nTrain: 1,
    lambda: 0,
    temperature,
    seed: 7,
    problems: [{ id: 'q', prompt, expert: 'a' }],
    judges: { reward: exact, selector: exact, concurrency: 1 },
    steps: 1,
    batchPrompts: 1,
    learningRate: 0.5,
    generation: {},
    onStep: () => {},
  })
  return policy.logits(prompt)
}

describe('trainCell at a sampling temperature', () => {
  it.each([0.5, 1, 2])('takes the step on log π_T at T = %s', async (T) => {
    const theta = [0.4, 1.1, -0.3]
    const g = fdGrad((t) => -Math.log(softmax(t, T)[0]!), theta)
    const after = await sftStep(T)
    after.forEach((l, k) => expect(l).toBeCloseTo(theta[k]! - 0.5 * g[k]!, 8))
  })

  it('differs from the T = 1 step when T ≠ 1', async () => {
    const [at1, atHalf] = [await sftStep(1), await sftStep(0.5)]
    expect(Math.abs(at1[0]! - atHalf[0]!)).toBeGreaterThan(0.05)
  })
})
