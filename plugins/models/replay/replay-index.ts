import { BenchError } from 'bonbench'
import type { Completion, DumpProblem, RecordedSample, SampleRequest } from 'bonbench'

/**
 * The dump's problems looked up the way a run asks for them: by the request's prompt id, else by
 * its prompt text (dumps joined on the prompt, as CodeT's are). Built once per model instance.
 * A problem found by id whose dump records a prompt must agree with the request's prompt (see
 * {@link promptsAgree}); that is checked once per prompt id, so replaying stays a map lookup.
 */
export class ReplayIndex {
  readonly #byId = new Map<string, DumpProblem<RecordedSample>>()
  readonly #byPrompt = new Map<string, DumpProblem<RecordedSample>>()
  /** Prompt id → the request prompt already found to agree with the dump problem served for it. */
  readonly #checked = new Map<string, { prompt: string; problem: DumpProblem<RecordedSample> }>()

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
    const problem = this.#problemFor(request)
    if (problem.samples.length < request.n) {
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `bonbench:replay: the dump ${this.file} holds ${problem.samples.length} samples for '${problem.id}' but the pool needs ${request.n}. Pass --pool-size ${problem.samples.length} or less (and an --n grid up to it), or replay a larger dump.`,
      )
    }
    return problem.samples.slice(0, request.n).map((s) => toCompletion(s))
  }

  /** The dump problem that answers the request, its recorded prompt checked against the request's on first use. */
  #problemFor(request: SampleRequest): DumpProblem<RecordedSample> {
    const checked = this.#checked.get(request.promptId)
    if (checked !== undefined && checked.prompt === request.prompt) return checked.problem
    const byId = this.#byId.get(request.promptId)
    const problem = byId ?? this.#byPrompt.get(request.prompt)
    if (!problem) {
      const some = [...this.#byId.keys()].slice(0, 3).join("', '")
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `bonbench:replay: prompt '${request.promptId}' is not in the dump ${this.file} (${this.#byId.size} problems, ids like '${some}'; matched by id, then by prompt text). Replay a dump of this task's problems, or drop the task to evaluate the dump's own problems.`,
      )
    }
    // Ids alone can pair the wrong problems (gsm8k's are line positions, the same in every split):
    // a recorded prompt is the dump's word on which problem its samples answer.
    if (byId !== undefined && problem.prompt !== undefined && !promptsAgree(problem.prompt, request.prompt)) {
      const [recorded, asked] = [normalizePrompt(problem.prompt), normalizePrompt(request.prompt)]
      const at = firstDifference(recorded, asked)
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `bonbench:replay: the dump ${this.file} recorded another prompt for '${request.promptId}' than the task's (dump: ${excerpt(recorded, at)}; task: ${excerpt(asked, at)}), so its samples answer another problem. Point --data at the file the samples were drawn from (ids such as gsm8k's are line positions, so another split pairs the wrong problems); if the two are the same problem written differently, remove the dump's "prompt" fields to pair by id alone.`,
      )
    }
    this.#checked.set(request.promptId, { prompt: request.prompt, problem })
    return problem
  }
}

/** A prompt as compared: CRLF read as LF, trailing whitespace dropped (what writers and editors change). */
function normalizePrompt(prompt: string): string {
  return prompt.replace(/\r\n/g, '\n').trimEnd()
}

/**
 * Whether a dump's recorded prompt names the task's prompt. A dump's `prompt` is "the prompt (or
 * question) the samples answer" (core/metrics/sample-dump.ts): the task's prompt itself, the bare
 * question the task's template wraps (Qwen2.5-Math's `question`; gsm8k's `Question: {question}\nAnswer:`),
 * or the prompt inside the sampler's own few-shot prefix or chat template. So, after
 * {@link normalizePrompt}, they agree when equal or when one holds the other whole. An empty
 * recorded prompt says nothing and agrees with any. Pure.
 */
function promptsAgree(recorded: string, task: string): boolean {
  const a = normalizePrompt(recorded).trimStart()
  const b = normalizePrompt(task).trimStart()
  if (a === b || a === '') return true
  return b !== '' && (b.includes(a) || a.includes(b))
}

/** The index of the first character where two strings differ (the shorter one's length when one starts the other). */
function firstDifference(a: string, b: string): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

/** A short quoted excerpt of `text` around index `at` (JSON-escaped, so newlines show). */
function excerpt(text: string, at: number): string {
  const start = Math.max(0, at - 20)
  const end = Math.min(text.length, start + 80)
  return `${start > 0 ? '…' : ''}${JSON.stringify(text.slice(start, end))}${end < text.length ? '…' : ''}`
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
