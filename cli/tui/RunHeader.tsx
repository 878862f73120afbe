/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The pragmas keep the automatic JSX runtime when tsx runs from a folder without our tsconfig.
import { Text } from 'ink'
import { formatDuration } from '../../core/summary/units.js'
import type { RunView } from './run-state.js'

/**
 * The status line above the live rows: cells done, running, pending and failed, and the time
 * since the run started (measured to the latest event, so it is exact in tests).
 */
export function RunHeader({ view }: { view: RunView }) {
  const cells = view.order.map((id) => view.cells[id]!).filter((c) => c.inPlan)
  const count = (...s: string[]) => cells.filter((c) => s.includes(c.status)).length
  const failed = count('error')
  const elapsed = view.startedAt === undefined ? Number.NaN : view.now - view.startedAt
  return (
    <Text wrap="truncate">
      <Text bold>{`${count('done', 'skipped')}/${cells.length} done`}</Text>
      {` · ${count('running')} running · ${count('pending')} pending`}
      {failed > 0 ? <Text color="red">{` · ${failed} failed`}</Text> : ''}
      <Text dimColor>{` · ${formatDuration(elapsed)}`}</Text>
    </Text>
  )
}
