/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The pragmas keep the automatic JSX runtime when tsx runs from a folder without our tsconfig.
import { Text } from 'ink'
import { formatHeadline } from '../../core/summary/headline.js'
import { formatCount, formatDuration, formatEstimate, formatValue, pad } from '../../core/summary/units.js'
import type { StaticEntry } from './run-state.js'

/** Props of {@link FinishedRow}. */
export interface FinishedRowProps {
  entry: StaticEntry
  labelWidth: number
}

/**
 * A line written once above the live region (inside ink's `<Static>`): the run banner, a
 * finished or reused cell with its headline metrics and time, or a failed cell with its message.
 * Truncated to the terminal width.
 */
export function FinishedRow({ entry, labelWidth }: FinishedRowProps) {
  switch (entry.kind) {
    case 'banner':
      return (
        <Text wrap="truncate">
          <Text bold>
            {entry.resumed ? 'bonbench · resuming run ' : 'bonbench · run '}
            {entry.runId}
          </Text>
          {`: ${entry.cells} cells, ${formatCount(entry.samplesToDraw)} samples to draw, estimated ${formatEstimate(entry.estimatedSeconds)}`}
        </Text>
      )
    case 'cell':
      return (
        <Text wrap="truncate">
          {entry.status === 'done' ? <Text color="green">{'✓ '}</Text> : <Text color="blue">{'↷ '}</Text>}
          {pad(entry.label, labelWidth)}
          {'  '}
          {formatHeadline(entry.metrics)}
          <Text dimColor>{entry.status === 'done' ? `  ${formatDuration(entry.wallMs)}` : '  (from journal)'}</Text>
        </Text>
      )
    case 'phase':
      return (
        <Text wrap="truncate">
          <Text color="green">{'✓ '}</Text>
          {pad(entry.label, labelWidth)}
          {'  '}
          {entry.total > 0 ? `${entry.phase} ${formatCount(entry.total)}` : entry.phase}
          {entry.loss !== undefined ? `  loss ${formatValue(entry.loss)}` : ''}
          <Text dimColor>{`  ${formatDuration(entry.wallMs)}`}</Text>
        </Text>
      )
    case 'error':
      return (
        <Text wrap="truncate">
          <Text color="red">{'✗ '}</Text>
          {pad(entry.label, labelWidth)}
          {'  '}
          <Text color="red">{`error: ${entry.message.split('\n')[0]}`}</Text>
        </Text>
      )
  }
}
