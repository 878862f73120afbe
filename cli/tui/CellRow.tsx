/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The pragmas keep the automatic JSX runtime when tsx runs from a folder without our tsconfig.
import { Box, Text } from 'ink'
import { formatDuration, formatRate, formatValue, pad } from '../../core/summary/units.js'
import type { CellView } from './run-state.js'
import type { RowLayout } from './row-layout.js'
import { phaseColor } from './phase-style.js'
import { progressBar } from './progress-bar.js'
import { sparkline } from './sparkline.js'

/** Props of {@link CellRow}. */
export interface CellRowProps {
  cell: CellView
  layout: RowLayout
  /** The view's clock (ms); the ETA counts down to it between progress events. Default: the cell's last update. */
  now?: number
  /** Draw the sparkline's own line below the row when the layout puts it there (default true; false on a short screen). */
  sparkLine?: boolean
}

/** True when `cell`'s row takes two lines: its sparkline on a line of its own below it. */
export function ownSparkLine(cell: CellView, layout: RowLayout): boolean {
  return (
    cell.status !== 'pending' &&
    cell.phase !== undefined &&
    layout.inlineSpark === 0 &&
    cell.losses.length >= 2 &&
    sparkline(cell.losses, layout.sparkLine) !== ''
  )
}

/**
 * One live matrix cell: label, phase, progress bar, percentage, rate, ETA, current loss or
 * accuracy, and the training-loss sparkline (on the row, or on a line below when narrow).
 * Every line is truncated to the terminal width.
 */
export function CellRow({ cell, layout, now = cell.updatedAt, sparkLine = true }: CellRowProps) {
  const label = pad(cell.label, layout.label)
  if (cell.status === 'pending' || !cell.phase) {
    return (
      <Text wrap="truncate" dimColor>
        {'· '}
        {label} {pad('pending', 9)}
      </Text>
    )
  }
  const elapsed = cell.updatedAt - cell.phaseStartedAt
  const rate = elapsed > 0 && cell.done > 0 ? (cell.done * 1000) / elapsed : Number.NaN
  // The estimate made at the latest progress event, counted down by the UI's clock since then.
  const eta = cell.done >= cell.total ? 0 : Number.isFinite(rate) ? Math.max(0, ((cell.total - cell.done) / rate) * 1000 - (now - cell.updatedAt)) : Number.NaN
  const pct = cell.total > 0 ? Math.floor((100 * cell.done) / cell.total) : 100
  // Accuracy is reset at each phase change, so it is always current; a loss only means
  // something while the cell trains.
  const training = cell.phase === 'train' || cell.phase === 'pretrain'
  const metric = cell.accuracy !== undefined ? `acc ${formatValue(cell.accuracy)}` : training && cell.loss !== undefined ? `loss ${formatValue(cell.loss)}` : ''
  const spark = sparkline(cell.losses, layout.inlineSpark || layout.sparkLine)
  const showSpark = cell.losses.length >= 2 && spark !== ''
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text color="cyan">{'▸ '}</Text>
        {label} <Text color={phaseColor[cell.phase]}>{pad(cell.phase, 9)}</Text>
        <Text color="green">{progressBar(cell.done, cell.total, layout.bar)}</Text> {pad(`${pct}%`, 4, 'right')} {layout.rate ? pad(formatRate(rate), 9) : ''}
        {layout.eta ? pad(`ETA ${formatDuration(eta)}`, 10) : ''}
        {layout.metric ? pad(metric, 13) : ''}
        {layout.inlineSpark > 0 && showSpark ? <Text color="yellow">{spark}</Text> : ''}
      </Text>
      {layout.inlineSpark === 0 && showSpark && sparkLine ? (
        <Text wrap="truncate">
          {'    loss '}
          <Text color="yellow">{spark}</Text>
        </Text>
      ) : null}
    </Box>
  )
}
