import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  checkModelContract,
  checkReporterContract,
  checkStrategyContract,
  checkTaskContract,
  checkVerifierContract,
  formatContractReport,
} from 'bonbench/testing'
import { answerListModel } from '../../docs/examples/answer-list-model.js'
import { cellLogReporter } from '../../docs/examples/cell-log-reporter.js'
import { filteredSftStrategy } from '../../docs/examples/filtered-sft-strategy.js'
import { jsonlTask } from '../../docs/examples/jsonl-task.js'
import { numericVerifier } from '../../docs/examples/numeric-verifier.js'
import { repoRoot } from '../e2e/cli-helper.js'

// docs/plugins.md's worked examples are the files in docs/examples/ (type-checked by `npm run
// typecheck`, which includes them): each keeps its kind's contract, and the page shows each file whole.
describe('the worked examples of docs/plugins.md', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bonbench-docs-examples-'))
  afterAll(() => rmSync(tmp, { recursive: true, force: true }))

  it('task: my-lab/jsonl-qa keeps the task contract, and asks for --data', async () => {
    const data = join(tmp, 'qa.jsonl')
    writeFileSync(data, Array.from({ length: 10 }, (_, i) => JSON.stringify({ question: `${i} + 1?`, answer: i + 1 })).join('\n') + '\n')
    const report = await checkTaskContract(jsonlTask(), { seed: 0, dataPath: data }, { requiresData: true })
    expect(report.problems, formatContractReport(report)).toEqual([])
  })

  it('model: my-lab/answer-list keeps the model contract', async () => {
    const report = await checkModelContract(answerListModel(), { prompts: ['a', 'b'] })
    expect(report.problems, formatContractReport(report)).toEqual([])
  })

  it('verifier: my-lab/numeric keeps the verifier contract', async () => {
    const problem = { id: 'p1', prompt: '6 × 7 =', answer: '42' }
    const report = await checkVerifierContract(numericVerifier(), [
      { item: { problem, completion: '6 × 7 = 42' }, expect: { pass: true, answer: '42' } },
      { item: { problem, completion: '41' }, expect: { pass: false } },
      { item: { problem, completion: 'no idea' }, expect: { reason: 'no-answer' } },
    ])
    expect(report.problems, formatContractReport(report)).toEqual([])
  })

  it('strategy: my-lab/filtered-sft keeps the strategy contract', async () => {
    const report = await checkStrategyContract(filteredSftStrategy({ threshold: 0.5 }))
    expect(report.problems, formatContractReport(report)).toEqual([])
  })

  it('reporter: my-lab/cell-log keeps the reporter contract', async () => {
    const report = await checkReporterContract(cellLogReporter())
    expect(report.problems, formatContractReport(report)).toEqual([])
  })

  it('docs/plugins.md shows every example file whole, each after its <!-- file --> marker', () => {
    const page = readFileSync(join(repoRoot, 'docs', 'plugins.md'), 'utf8')
    const examples = readdirSync(join(repoRoot, 'docs', 'examples')).filter((f) => f.endsWith('.ts'))
    expect(examples).toHaveLength(5)
    for (const file of examples) {
      const text = readFileSync(join(repoRoot, 'docs', 'examples', file), 'utf8')
      expect(page, file).toContain(`<!-- file: docs/examples/${file} -->\n\`\`\`ts\n${text}\`\`\`\n`)
    }
  })
})
