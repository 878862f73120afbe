/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The pragmas keep the automatic JSX runtime when tsx runs from a folder without our tsconfig.
import { Box, Text } from 'ink'
import type { CellResult } from '../../core/plugin-api/results.js'
import { formatSummaryTable, summarizeResults } from '../../core/summary/summary-table.js'

/** Props of {@link SummaryTable}. */
export interface SummaryTableProps {
  results: readonly CellResult[]
  columns: number
}

/**
 * The end-of-run table: rows base + strategies (averaged over seeds), columns pass@1 and pass@N
 * and Bo-N at the grid's N values; N columns are dropped to fit narrow terminals.
 */
export function SummaryTable({ results, columns }: SummaryTableProps) {
  const lines = formatSummaryTable(summarizeResults(results), { width: columns })
  return (
    <Box flexDirection="column" marginTop={1}>
      {lines.map((line, i) => (
        <Text key={i} bold={i === 0} dimColor={i === lines.length - 1}>
          {line}
        </Text>
      ))}
    </Box>
  )
}
