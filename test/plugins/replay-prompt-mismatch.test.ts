import { writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { scoreSamples } from '../../core/eval/score-samples.js'
import type { ModelPlugin } from '../../core/plugin-api/model.js'
import type { Problem, TaskPlugin } from '../../core/plugin-api/task.js'
import type { VerifierPlugin } from '../../core/plugin-api/verifier.js'
import { tempDir } from '../e2e/cli-helper.js'
import { builtins } from '../helpers/builtin-factories.js'
import { sharedData } from './code-fixtures.js'

// The replay model pairs a dump's problems with the task's by id, and gsm8k's ids are line
// positions: the same ids name other problems in another file. A dump that recorded its prompts
// says which problems its samples answer, so replaying it against another file is refused.
const { dir, cleanup } = tempDir('bonbench-replay-mismatch-')
afterAll(cleanup)

const testFile = path.join(sharedData, 'gsm8k/test.jsonl')
const trainFile = path.join(sharedData, 'gsm8k/train.jsonl.gz')

/** The first 4 problems of a GSM8K file, as the real gsm8k task loads them. */
async function gsm8kProblems(file: string): Promise<Problem[]> {
  const task = builtins.gsm8k!({ limit: 4 }) as TaskPlugin
  return (await task.load({ seed: 0, dataPath: file })).test
}

/** A dump of one correct sample (the reference solution) per problem; `prompt` writes each line's prompt field (undefined: none). */
function dumpOf(name: string, problems: Problem[], prompt: (p: Problem) => string | undefined): string {
  const file = path.join(dir, name)
  const lines = problems.map((p) => JSON.stringify({ id: p.id, ...(prompt(p) === undefined ? {} : { prompt: prompt(p) }), text: p.expert }))
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

/** Replays `dump` for the task's problems (pool 1 each) and judges the samples with the real math-answer verifier: the pass rate. */
async function replayPassRate(dump: string, problems: Problem[]): Promise<number> {
  const model = await (builtins.replay!({ samples: dump }) as ModelPlugin).create({ seed: 0, corpus: '', concurrency: 1 })
  const results = await model.sample(problems.map((p) => ({ promptId: p.id, prompt: p.prompt, n: 1, temperature: 1, seed: 0 })))
  const verifier = builtins['math-answer']!() as VerifierPlugin
  const judged = await scoreSamples(
    problems.map((problem, i) => ({ problem, completion: results[i]!.completions[0]!.text })),
    { reward: verifier, selector: verifier, concurrency: 1 },
  )
  return judged.filter((j) => j.reward === 1).length / judged.length
}

describe('replay: a dump whose recorded prompts are not the task’s', () => {
  it('a dump drawn from test.jsonl replays against test.jsonl (all correct) and is refused against train.jsonl.gz, naming the id, the dump and --data', async () => {
    const test = await gsm8kProblems(testFile)
    const train = await gsm8kProblems(trainFile)
    expect(test.map((p) => p.id)).toEqual(train.map((p) => p.id))
    const dump = dumpOf('gsm_dump.jsonl', test, (p) => p.prompt)
    expect(await replayPassRate(dump, test)).toBe(1)
    const refused = replayPassRate(dump, train)
    await expect(refused).rejects.toMatchObject({ code: 'BENCH_DATA_INVALID' })
    await expect(refused).rejects.toThrow(`bonbench:replay: the dump ${dump} recorded another prompt for 'gsm8k-0' than the task's`)
    await expect(refused).rejects.toThrow(/dump: "Question: Janet’s ducks .*task: "Question: Natalia sold clips/)
    await expect(refused).rejects.toThrow('Point --data at the file the samples were drawn from')
  })

  it('a dump without prompt fields is matched by id alone, as before (no check is possible)', async () => {
    const test = await gsm8kProblems(testFile)
    const train = await gsm8kProblems(trainFile)
    const dump = dumpOf('no-prompts.jsonl', test, () => undefined)
    expect(await replayPassRate(dump, test)).toBe(1)
    // Served by id: the test file's solutions, judged against the train file's answers.
    expect(await replayPassRate(dump, train)).toBe(0)
  })

  it('compares what is meant to be equal: CRLF and trailing whitespace, the bare question, or the prompt inside a few-shot prefix agree', async () => {
    const test = await gsm8kProblems(testFile)
    const train = await gsm8kProblems(trainFile)
    const question = (p: Problem) => p.prompt.replace(/^Question: /, '').replace(/\nAnswer:$/, '')
    const variants: Record<string, (p: Problem) => string> = {
      crlf: (p) => `${p.prompt.replace(/\n/g, '\r\n')}  \r\n`,
      question: (p) => `${question(p)}\n`,
      fewShot: (p) => `Question: What is 1 + 1?\nAnswer: 2\n\n${p.prompt}`,
    }
    for (const [name, prompt] of Object.entries(variants)) {
      const dump = dumpOf(`${name}.jsonl`, test, prompt)
      expect(await replayPassRate(dump, test), name).toBe(1)
      await expect(replayPassRate(dump, train), name).rejects.toThrow(/recorded another prompt for 'gsm8k-0'/)
    }
  })
})
