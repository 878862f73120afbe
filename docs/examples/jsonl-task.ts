// A task read from the user's data file (`bench run jsonl-qa --data qa.jsonl`): one JSON object per
// line, { "question": …, "answer": … }, graded by the built-in math-answer verifier.
import { readFile } from 'node:fs/promises'
import { createHash } from 'node:crypto'
import { BenchError, defineTask, z, type Problem } from 'bonbench'

export const jsonlTask = defineTask({
  name: 'my-lab/jsonl-qa',
  meta: { version: '1.0.0', apiVersion: '^0.1.0', description: 'Questions and answers from a JSONL file' },
  options: z.strictObject({
    testEvery: z.int().min(2).default(5).describe('Every testEvery-th problem goes to the test split'),
  }),
  create: ({ testEvery }) => ({
    rewardVerifier: 'math-answer',
    generation: { maxTokens: 64, stop: ['\n\n'] },
    async load({ dataPath }) {
      if (!dataPath) throw new BenchError('BENCH_DATA_MISSING', 'my-lab/jsonl-qa needs a data file: pass --data <file.jsonl>.')
      const text = await readFile(dataPath, 'utf8')
      const problems: Problem[] = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line, i) => {
          const row = JSON.parse(line) as { question: string; answer: string | number }
          return { id: `q${i}`, prompt: `Question: ${row.question}\nAnswer:`, answer: String(row.answer) }
        })
      const sha256 = createHash('sha256').update(text).digest('hex')
      return {
        train: problems.filter((_, i) => i % testEvery !== 0),
        test: problems.filter((_, i) => i % testEvery === 0),
        files: [{ path: dataPath, sha256 }],
      }
    },
  }),
})

export default jsonlTask
