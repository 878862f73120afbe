import { describe, expect, it } from 'vitest'
import { answerListModel } from '../../../docs/examples/answer-list-model.js'
import { cellLogReporter } from '../../../docs/examples/cell-log-reporter.js'
import { numericVerifier } from '../../../docs/examples/numeric-verifier.js'
import { checkModelContract, checkReporterContract, checkVerifierContract } from '../../../core/testing/index.js'
import type { ContractReport } from '../../../core/testing/contract-report.js'
import { MODEL_CHECKS } from '../../../core/testing/model-contract.js'
import { REPORTER_CHECKS } from '../../../core/testing/reporter-contract.js'
import { VERIFIER_CHECKS } from '../../../core/testing/verifier-contract.js'

// The check ids a tester's `skip` accepts (anything else is a `contract-test` problem) must cover
// every check the tester runs, or a valid skip would be reported as a mistake.
const problem = { id: 'p1', prompt: '6 × 7 =', answer: '42' }
const ids = (report: ContractReport) => [...report.passed, ...report.skipped.map((s) => s.check), ...report.problems.map((p) => p.check)]

describe('contract testers: the check ids skip accepts', () => {
  it('every check a tester reports is one its skip accepts (the lists stay in step with the testers)', async () => {
    const verifier = await checkVerifierContract(numericVerifier(), [{ item: { problem, completion: '42' }, expect: { pass: true } }])
    const model = await checkModelContract(answerListModel(), { prompts: ['a', 'b'] })
    const reporter = await checkReporterContract(cellLogReporter())
    for (const [report, checks] of [
      [verifier, VERIFIER_CHECKS],
      [model, MODEL_CHECKS],
      [reporter, REPORTER_CHECKS],
    ] as const) {
      expect(report.problems, report.plugin).toEqual([])
      for (const id of ids(report)) expect(checks as readonly string[], `${report.plugin}: ${id}`).toContain(id)
    }
  })
})
