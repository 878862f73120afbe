import { describe, expect, it } from 'vitest'
import { answerListModel } from '../../../docs/examples/answer-list-model.js'
import { cellLogReporter } from '../../../docs/examples/cell-log-reporter.js'
import { numericVerifier } from '../../../docs/examples/numeric-verifier.js'
import { checkModelContract, checkReporterContract, checkVerifierContract, type VerifierCase } from '../../../core/testing/index.js'

// Mistakes in a plugin author's contract test (a misspelt skip name or expectation) would check
// nothing, silently: the testers report them under `contract-test`, naming the key and the allowed ones.
const problem = { id: 'p1', prompt: '6 × 7 =', answer: '42' }

describe('contract testers: mistakes of the contract test', () => {
  it("checkVerifierContract reports an unknown key of a case's expect, naming it and the allowed keys", async () => {
    const cases = [
      { name: 'right', item: { problem, completion: '42' }, expect: { pas: true } },
      { item: { problem, completion: 'no idea' }, expect: { reason: 'no-answer', minscore: 0 } },
    ] as unknown as VerifierCase[]
    const report = await checkVerifierContract(numericVerifier(), cases)
    const mistakes = report.problems.filter((p) => p.check === 'contract-test').map((p) => p.message)
    expect(mistakes).toEqual([
      'right: expect.pas is not an expectation, so nothing checks it; expect takes pass, reason, reward, answer, minScore, maxScore',
      'case 1: expect.minscore is not an expectation, so nothing checks it; expect takes pass, reason, reward, answer, minScore, maxScore',
    ])
    // The plugin itself keeps its contract: only the test's mistakes are problems.
    expect(report.problems.filter((p) => p.check !== 'contract-test')).toEqual([])
  })

  it('checkVerifierContract, checkModelContract and checkReporterContract report a skip name that is not one of their checks', async () => {
    const verifier = await checkVerifierContract(numericVerifier(), [{ item: { problem, completion: '42' }, expect: { pass: true } }], {
      skip: ['greedyy', 'garbage'],
    })
    expect(verifier.problems).toEqual([
      {
        check: 'contract-test',
        message:
          "skip: 'greedyy' is not a check of the verifier contract tester, so nothing was left out for it; its checks are shape, kind, name, lifecycle-setup, lifecycle-dispose, lifecycle-reuse, score-shape, score-empty, score-order, expectations, garbage, verdict-consistent",
      },
    ])
    expect(verifier.skipped).toContainEqual({ check: 'garbage', reason: 'left out by the caller' })
    const model = await checkModelContract(answerListModel(), { prompts: ['a', 'b'], skip: ['greedyy'] })
    expect(model.problems.map((p) => p.check)).toEqual(['contract-test'])
    expect(model.problems[0]!.message).toMatch(/^skip: 'greedyy' is not a check of the model contract tester, .*its checks are shape, kind, name, .*greedy/)
    const reporter = await checkReporterContract(cellLogReporter(), { skip: ['on-events'] })
    expect(reporter.problems.map((p) => p.check)).toEqual(['contract-test'])
  })

  it('checkModelContract throws for fewer than two prompts (a misuse of the tester, as docs/plugins.md says)', async () => {
    await expect(checkModelContract(answerListModel(), { prompts: ['a'] })).rejects.toThrow(/give at least two prompts/)
  })
})
