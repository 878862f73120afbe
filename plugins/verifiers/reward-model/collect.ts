import type { Problem, VerifierPrepareContext } from 'bonbench'
import { BenchError, deriveSeed } from 'bonbench'

/** One base-policy sample with its environment-reward label. */
export interface LabelledSample {
  problem: Problem
  completion: string
  reward: number
  /** 1 when reward ≥ threshold. */
  label: 0 | 1
}

/** How `collectLabelledSamples` draws. */
export interface CollectOptions {
  samplesPerPrompt: number
  promptsPerCall: number
  threshold: number
  /** Seed of the per-prompt sampling streams (the same seed gives the same samples). */
  seed: number
  pluginName: string
}

function throwIfAborted(signal: AbortSignal | undefined, pluginName: string): void {
  if (signal?.aborted) throw new BenchError('BENCH_ABORTED', `${pluginName}: preparation was cancelled`, { cause: signal.reason })
}

/** The environment reward of a verdict: `reward`, else `pass`, else `score`. */
function rewardOf(verdict: { reward?: number; pass?: boolean; score: number }): number {
  if (verdict.reward !== undefined) return verdict.reward
  if (verdict.pass !== undefined) return verdict.pass ? 1 : 0
  return verdict.score
}

/**
 * Draws `samplesPerPrompt` completions per problem from the base policy (ctx.model at
 * ctx.temperature with the task's generation limits, one seeded stream per prompt id) and labels
 * each with the environment reward ctx.reward. Runs once inside reward-model's prepare.
 * Guarantees one sample per (problem, draw), in problem order; honours ctx.signal between calls.
 */
export async function collectLabelledSamples(ctx: VerifierPrepareContext, problems: Problem[], options: CollectOptions): Promise<LabelledSample[]> {
  const out: LabelledSample[] = []
  for (let start = 0; start < problems.length; start += options.promptsPerCall) {
    throwIfAborted(ctx.signal, options.pluginName)
    const chunk = problems.slice(start, start + options.promptsPerCall)
    const results = await ctx.model.sample(
      chunk.map((problem) => ({
        promptId: problem.id,
        prompt: problem.prompt,
        n: options.samplesPerPrompt,
        temperature: ctx.temperature,
        maxTokens: ctx.generation.maxTokens,
        stop: ctx.generation.stop,
        seed: deriveSeed(options.seed, 'reward-model/sample', problem.id),
      })),
      { signal: ctx.signal },
    )
    const drawn = chunk.flatMap((problem, i) => {
      const result = results[i]
      if (!result || result.promptId !== problem.id) {
        throw new BenchError(
          'BENCH_RUN_INVALID',
          `${options.pluginName}: the model returned no completions for prompt '${problem.id}' (results must follow request order)`,
        )
      }
      return result.completions.map((completion) => ({ problem, completion: completion.text }))
    })
    throwIfAborted(ctx.signal, options.pluginName)
    const verdicts = await ctx.reward.score(drawn, { signal: ctx.signal, concurrency: 1 })
    drawn.forEach((item, i) => {
      const reward = rewardOf(verdicts[i]!)
      out.push({ ...item, reward, label: reward >= options.threshold ? 1 : 0 })
    })
    ctx.log(`reward-model: sampled and labelled ${Math.min(start + options.promptsPerCall, problems.length)}/${problems.length} prompts`)
  }
  return out
}
