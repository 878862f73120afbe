/**
 * Decides which progress events of one cell deserve a line. Deterministic given the clock:
 * a line prints when progress crosses a `step` boundary (so 25%, 50%, 75%, 100% always print
 * with step 0.25), or when `intervalMs` has passed since the cell's last line and `done` moved.
 */
export class ProgressThrottle {
  private readonly last = new Map<string, { bucket: number; at: number; done: number }>()

  constructor(
    private readonly step: number,
    private readonly intervalMs: number,
  ) {}

  /** Forget a cell's history: call on each new phase so its first boundaries print again. */
  reset(cellId: string, at: number): void {
    this.last.set(cellId, { bucket: 0, at, done: 0 })
  }

  /** True when this progress event should print; records it as printed when it does. */
  shouldPrint(cellId: string, done: number, total: number, at: number): boolean {
    const prev = this.last.get(cellId) ?? { bucket: 0, at, done: 0 }
    const fraction = total > 0 ? Math.min(1, done / total) : 1
    // The epsilon keeps 0.75 / 0.25 from landing in bucket 2 through rounding.
    const bucket = Math.floor(fraction / this.step + 1e-9)
    const crossed = bucket > prev.bucket
    const timely = this.intervalMs > 0 && at - prev.at >= this.intervalMs && done > prev.done
    if (!crossed && !timely) {
      this.last.set(cellId, prev)
      return false
    }
    this.last.set(cellId, { bucket: Math.max(bucket, prev.bucket), at, done })
    return true
  }
}
