import type { ModelUsage } from 'bonbench'

/**
 * Counts requests and tokens until taken (`take` returns the counts and starts again from zero).
 * The counts are cost bookkeeping, not results: like a cell's wall time they say what this process
 * spent, so `cachedRequests` is 0 on a cold cache and the request count on a warm one (and a
 * resumed cell counts only what it asked after the resume), while the completions, and every
 * number computed from them, are the same. `bench rerun` compares cells without them.
 */
export class UsageMeter {
  #usage: ModelUsage = UsageMeter.zero()

  static zero(): ModelUsage {
    return { requests: 0, cachedRequests: 0, promptTokens: 0, completionTokens: 0 }
  }

  add(tokens: { promptTokens: number; completionTokens: number }, cached: boolean): void {
    this.#usage.requests++
    if (cached) this.#usage.cachedRequests++
    this.#usage.promptTokens += tokens.promptTokens
    this.#usage.completionTokens += tokens.completionTokens
  }

  take(): ModelUsage {
    const usage = this.#usage
    this.#usage = UsageMeter.zero()
    return usage
  }
}
