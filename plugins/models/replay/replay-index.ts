import { BenchError } from 'bonbench'
import type { Completion, DumpProblem, RecordedSample, SampleRequest } from 'bonbench'

/**
 * The dump's problems looked up the way a run asks for them: by the request's prompt id, else by
 * its prompt text (dumps joined on the prompt, as CodeT's are). Built once per model instance.
 */
export class ReplayIndex {
  readonly #byId = new Map<string, DumpProblem<RecordedSample>>()
  readonly #byPrompt = new Map<string, DumpProblem<RecordedSample>>()

  constructor(
    readonly file: string,
    problems: readonly DumpProblem<RecordedSample>[],
  ) {
    for (const p of problems) {
      this.#byId.set(p.id, p)
      if (p.prompt !== undefined && !this.#byPrompt.has(p.prompt)) this.#byPrompt.set(p.prompt, p)
    }
  }

  /** The first `request.n` samples the dump holds for the request's prompt, in dump order, as completions. */
  complete(request: SampleRequest): Completion[] {
    const problem = this.#byId.get(request.promptId) ?? this.#byPrompt.get(request.prompt)
    if (!problem) {
      const some = [...this.#byId.keys()].slice(0, 3).join("', '")
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `bonbench:replay: prompt '${request.promptId}' is not in the dump ${this.file} (${this.#byId.size} problems, ids like '${some}'; matched by id, then by prompt text). Replay a dump of this task's problems, or drop the task to evaluate the dump's own problems.`,
      )
    }
    if (problem.samples.length < request.n) {
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `bonbench:replay: the dump ${this.file} holds ${problem.samples.length} samples for '${problem.id}' but the pool needs ${request.n}. Pass --pool-size ${problem.samples.length} or less (and an --n grid up to it), or replay a larger dump.`,
      )
    }
    return problem.samples.slice(0, request.n).map((s) => toCompletion(s))
  }
}

/** A dump sample as a completion: its text (empty when the dump has none), no tokens, and what the dump judged. */
function toCompletion(sample: RecordedSample): Completion {
  const completion: Completion = { text: sample.text ?? '', tokens: [], logProb: 0, finishReason: 'eos' }
  const recorded: NonNullable<Completion['recorded']> = {}
  if (sample.reward !== undefined) recorded.reward = sample.reward
  if (sample.score !== undefined) recorded.score = sample.score
  if (sample.answer !== undefined) recorded.answer = sample.answer
  if (Object.keys(recorded).length > 0) completion.recorded = recorded
  return completion
}
