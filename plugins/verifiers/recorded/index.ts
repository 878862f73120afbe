import { z } from 'zod'
import { BenchError, defineVerifier } from 'bonbench'

/**
 * `bonbench:recorded`: the reward verifier of the `sample-dump` task. Its verdicts are the ones a
 * replayed dump records (Completion.recorded, used by the evaluator in place of any verifier's),
 * so it is never asked to judge a sample of a scored dump. Asked all the same — a sample with no
 * recorded reward, i.e. a model other than `replay` or another dump than the task's — it throws
 * BENCH_RUN_INVALID saying what to do, rather than invent a verdict.
 */
export const recorded = defineVerifier({
  name: 'bonbench:recorded',
  meta: { version: '0.1.0', description: 'The judgement recorded in a replayed sample dump (the sample-dump task’s reward)' },
  options: z.strictObject({}),
  create: () => ({
    async score(batch) {
      if (batch.length === 0) return []
      throw new BenchError(
        'BENCH_RUN_INVALID',
        `bonbench:recorded: ${batch.length} sample(s) of '${batch[0]!.problem.id}' carry no recorded reward, and this verifier has nothing else to judge by. Evaluate the sample-dump task with --model replay on the same dump, or name the task whose verifiers judge these samples.`,
      )
    },
  }),
})
