import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readVerifySamples } from '../../../cli/verify-samples.js'
import { mbpp } from '../../../plugins/tasks/mbpp/index.js'
import { benchInProcess } from '../../e2e/cli-help.js'
import { sharedData, tempDir } from '../../e2e/cli-helper.js'

// The task ids of a `bench verify` samples file: a number where the id is a string, and an MBPP id
// of a split `bench verify mbpp` does not load, are each said to be what they are (not "missing"
// or "not in the problems file"). The real mbpp task loads the real mbpp.jsonl for the known ids.
const { dir, cleanup } = tempDir('bonbench-verify-ids-')
afterAll(cleanup)

const mbppFile = path.join(sharedData, 'mbpp/mbpp.jsonl')
let known: Set<string>
let validationKnown: Set<string>
beforeAll(async () => {
  const ids = async (task: ReturnType<typeof mbpp>) => {
    const data = await task.load({ seed: 0, dataPath: mbppFile })
    return new Set([...data.train, ...data.test].map((p) => p.id))
  }
  // What `bench verify mbpp` loads: the train and test splits, or train and validation with evalSplit.
  known = await ids(mbpp())
  validationKnown = await ids(mbpp({ evalSplit: 'validation' }))
})

function samplesFile(name: string, records: unknown[]): string {
  const file = path.join(dir, name)
  writeFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''))
  return file
}

describe('readVerifySamples: task ids', () => {
  it('says a numeric task_id must be a string such as "Mbpp/11", naming file and line', async () => {
    const file = samplesFile('numeric.jsonl', [
      { task_id: 'Mbpp/12', completion: 'x' },
      { task_id: 11, completion: 'x' },
    ])
    const error = (await readVerifySamples(file, known).catch((e: unknown) => e)) as Error
    expect(error).toMatchObject({ code: 'BENCH_DATA_INVALID' })
    expect(error.message).toBe(
      `${file}:2: task_id 11 is a number; it must be a string such as "Mbpp/11", the problem's id in the problems file. Write each line as {"task_id": "Mbpp/11", "completion": …}.`,
    )
    expect(error.message).not.toMatch(/missing/)
  })

  it.each([
    [
      'validation',
      'Mbpp/520',
      /is in MBPP's validation split \(task ids 511–600\), which is not loaded: bench verify mbpp verifies the test \(11–510\) and train \(601–974\) splits\. To verify it, set the mbpp task option evalSplit: 'validation'/,
    ],
    [
      'prompt',
      'Mbpp/3',
      /is in MBPP's prompt split \(task ids 1–10\), which is not loaded: .*test \(11–510\) and train \(601–974\) splits\. No task option loads the prompt split/,
    ],
  ])('names the %s split of an MBPP id bench verify mbpp does not load, and the option that loads it', async (_, id, message) => {
    const file = samplesFile(`split-${id.replace('/', '-')}.jsonl`, [
      { task_id: 'Mbpp/11', completion: 'x' },
      { task_id: id, completion: 'x' },
    ])
    const error = (await readVerifySamples(file, known).catch((e: unknown) => e)) as Error
    expect(error).toMatchObject({ code: 'BENCH_DATA_INVALID' })
    expect(error.message).toContain(`${file}:2: task_id '${id}'`)
    expect(error.message).toMatch(message)
    expect(error.message).not.toMatch(/not in the problems file/)
  })

  it('with evalSplit validation, a test-split id points back to the default', async () => {
    const file = samplesFile('test-split.jsonl', [{ task_id: 'Mbpp/20', completion: 'x' }])
    await expect(readVerifySamples(file, validationKnown)).rejects.toThrow(
      /Mbpp\/20' is in MBPP's test split \(task ids 11–510\), which is not loaded: bench verify mbpp verifies the validation \(511–600\) and train \(601–974\) splits\. To verify it, use the mbpp task option evalSplit: 'test' \(the default\)/,
    )
  })

  it('keeps "not in the problems file" for ids the loaded splits lack, and for other tasks', async () => {
    const beyond = samplesFile('beyond.jsonl', [{ task_id: 'Mbpp/975', completion: 'x' }])
    await expect(readVerifySamples(beyond, known)).rejects.toThrow(`${beyond}:1: task_id 'Mbpp/975' is not in the problems file (wrong --data?)`)
    const other = samplesFile('other.jsonl', [{ task_id: 'Mbpp/520', completion: 'x' }])
    await expect(readVerifySamples(other, new Set(['HumanEval/0']))).rejects.toThrow(`${other}:1: task_id 'Mbpp/520' is not in the problems file`)
    await expect(readVerifySamples(samplesFile('ok.jsonl', [{ task_id: 'Mbpp/600', completion: 'x' }]), validationKnown)).resolves.toHaveLength(1)
  })

  it('bench verify mbpp says so too, exit 2, before verifying anything', async () => {
    const file = samplesFile('cli.jsonl', [{ task_id: 'Mbpp/511', completion: 'x' }])
    const result = await benchInProcess(['verify', 'mbpp', '--data', sharedData, '--samples', file, '--out', path.join(dir, 'out.jsonl')], { cwd: dir })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(`${file}:1: task_id 'Mbpp/511' is in MBPP's validation split (task ids 511–600), which is not loaded`)
  })
})
