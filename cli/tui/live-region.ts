import type { CellView } from './run-state.js'

/** What the live region draws below its status line: which rows, their sparkline lines, the log tail. */
export interface LiveRegion {
  /** The rows drawn, in order. */
  shown: CellView[]
  /** Rows left out (said on a `… N more cells` line when `moreLine`). */
  hidden: number
  moreLine: boolean
  /** Whether rows whose sparkline sits on a line of its own draw that line. */
  sparkLines: boolean
  /** How many of the newest log lines are drawn. */
  logs: number
  /** Lines the region takes: status line, rows, sparkline lines, the `more` line, log lines. */
  height: number
}

/**
 * Fits the live region into a terminal of `rows` lines. It never takes more than `rows − 1`
 * lines: ink redraws a region that reaches the screen's height by clearing the whole terminal
 * (wiping what plugins printed and, off by one, a finished row). What gives way first: pending
 * rows (a `… N more cells` line counts them), then the oldest log lines, then the sparklines'
 * own lines, and only then running rows. `live` is running rows first, then pending ones
 * ({@link liveCells}); `ownSparkLine(cell)`: the row draws its sparkline on a line of its own.
 */
export function fitLiveRegion(live: readonly CellView[], opts: { rows: number; logs: number; ownSparkLine: (cell: CellView) => boolean }): LiveRegion {
  const max = Math.max(1, opts.rows - 1)
  const running = live.filter((c) => c.status === 'running').length
  // sparksBefore[i]: rows among the first i that draw a sparkline line (each row asked once).
  const sparksBefore = [0]
  for (const cell of live) sparksBefore.push(sparksBefore[sparksBefore.length - 1]! + (opts.ownSparkLine(cell) ? 1 : 0))
  const sparkCount = (count: number) => sparksBefore[count]!
  let count = live.length
  let logs = opts.logs
  let sparkLines = true
  let moreLine = true
  const height = () => 1 + count + (sparkLines ? sparkCount(count) : 0) + (count < live.length && moreLine ? 1 : 0) + logs
  while (height() > max) {
    if (count > running) count--
    else if (logs > 0) logs--
    else if (sparkLines && sparkCount(count) > 0) sparkLines = false
    else if (count > 0) count--
    else moreLine = false
  }
  return { shown: live.slice(0, count), hidden: live.length - count, moreLine: moreLine && count < live.length, sparkLines, logs, height: height() }
}
