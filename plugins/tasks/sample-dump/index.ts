import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { z } from 'zod'
import type { Problem } from 'bonbench'
import { BenchError, defineTask, isBenchError, readSampleDump } from 'bonbench'

/** Options of `bonbench:sample-dump`. */
export const sampleDumpOptionsSchema = z.strictObject({
  samples: z.string().min(1).optional().describe('The sample dump whose problems are evaluated (.jsonl or .jsonl.gz), every sample with a recorded reward.'),
})

/** Options as written in a config. */
export type SampleDumpOptions = z.input<typeof sampleDumpOptionsSchema>

const name = 'bonbench:sample-dump'

/**
 * `bonbench:sample-dump`: the problems of a scored sample dump, for `bench eval --model replay
 * --samples <dump>` without a task. Every problem of the dump is a test problem (no train split);
 * its prompt is the dump's prompt (the question) where recorded, else its id; `answer` and `expert`
 * come along where the dump has them. The reward verifier is `recorded`: the rewards, scores and
 * answers the dump carries are the judgement, so every sample needs a reward (BENCH_DATA_INVALID
 * names the file and line of one without, and says to name the task whose verifiers can judge it).
 */
export const sampleDump = defineTask({
  name,
  meta: { version: '0.1.0', description: "The problems of a scored sample dump, judged by the dump's own rewards (bench eval --model replay)" },
  options: sampleDumpOptionsSchema,
  create: (o) => {
    return {
      rewardVerifier: 'recorded',
      async load(ctx) {
        const samples = o.samples
        if (samples === undefined)
          throw new BenchError(
            'BENCH_USAGE',
            `bonbench:sample-dump: no sample dump given (option samples); it needs the dump whose problems are evaluated: bench eval --model replay --samples <dump>`,
          )
        ctx.signal?.throwIfAborted()
        const file = resolve(samples)
        let dump
        try {
          dump = await readSampleDump(file)
        } catch (error) {
          if (isBenchError(error) && error.code === 'BENCH_DATA_INVALID' && /reward: missing/.test(error.message))
            throw new BenchError(
              'BENCH_DATA_INVALID',
              `${name}: ${error.message}. A dump without rewards has no judgement of its own: name the task whose verifiers judge it, e.g. bench eval humaneval --model replay --samples ${samples} --data <problems>.`,
              { cause: error },
            )
          throw error
        }
        const test: Problem[] = dump.problems.map((p) => {
          const problem: Problem = { id: p.id, prompt: p.prompt ?? p.id }
          if (p.answer !== undefined) problem.answer = p.answer
          if (p.expert !== undefined) problem.expert = p.expert
          return problem
        })
        const sha256 = createHash('sha256')
          .update(await readFile(file))
          .digest('hex')
        return { train: [], test, files: [{ path: file, sha256 }] }
      },
    }
  },
})
