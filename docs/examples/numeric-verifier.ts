// A verifier: the last number in a completion against the problem's answer, within a tolerance.
import { defineVerifier, z } from 'bonbench'

export const numericVerifier = defineVerifier({
  name: 'my-lab/numeric',
  meta: { version: '1.0.0', apiVersion: '^0.1.0', description: 'Last number in the completion, within a tolerance' },
  options: z.strictObject({
    tolerance: z.number().min(0).default(1e-6).describe('Largest |answer − expected| that passes'),
  }),
  create: ({ tolerance }) => ({
    async score(batch) {
      return batch.map(({ problem, completion }) => {
        const last = completion.match(/-?\d+(?:\.\d+)?/g)?.at(-1)
        if (last === undefined) return { score: 0, reward: 0, pass: false, reason: 'no-answer' }
        const pass = Math.abs(Number(last) - Number(problem.answer)) <= tolerance
        return { score: pass ? 1 : 0, reward: pass ? 1 : 0, pass, reason: pass ? 'passed' : 'failed', answer: last }
      })
    },
  }),
})

export default numericVerifier
