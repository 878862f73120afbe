/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The pragmas keep the automatic JSX runtime when tsx runs from a folder without our tsconfig.
import { Box, Static, Text } from 'ink'
import { formatDuration } from '../../core/summary/units.js'
import { CellRow, ownSparkLine } from './CellRow.js'
import { FinishedRow } from './FinishedRow.js'
import { LogTail } from './LogTail.js'
import { ResumeHint } from './ResumeHint.js'
import { RunHeader } from './RunHeader.js'
import { SummaryTable } from './SummaryTable.js'
import { liveCells, type RunView } from './run-state.js'
import { rowLayout } from './row-layout.js'
import { fitLiveRegion } from './live-region.js'
import { useTerminalSize } from './use-terminal-size.js'

/** Props of {@link App}. */
export interface AppProps {
  /** The state to draw (from the run store); the app itself holds no run state. */
  view: RunView
  /** Fixed width (tests); by default the terminal's, following resizes. */
  columns?: number
  /** Fixed height (tests); bounds how many live rows are drawn. */
  rows?: number
}

/**
 * The live run UI. Finished cells (and the run banner) go to ink's `<Static>`, written once
 * above; below them a small live region redraws: a status line, one row per running or pending
 * cell (capped to fit the terminal's height), and the log tail. After `run:end` the live region
 * holds the summary table and, for an interrupted run, the `--resume` command.
 */
export function App({ view, columns: fixedColumns, rows: fixedRows }: AppProps) {
  const { columns, rows } = useTerminalSize({ columns: fixedColumns, rows: fixedRows })
  const longest = Math.max(8, ...Object.values(view.cells).map((c) => c.label.length))
  const layout = rowLayout(columns, longest)
  const live = view.end ? [] : liveCells(view)
  // Keep the live region shorter than the screen, so ink redraws it in place instead of clearing
  // the terminal: log lines, then sparkline lines, then rows give way on a short screen.
  const region = fitLiveRegion(live, { rows, logs: view.logs.length, ownSparkLine: (cell) => ownSparkLine(cell, layout) })
  return (
    <Box flexDirection="column" width={columns}>
      <Static items={view.staticEntries}>
        {(entry) => (
          <Box key={entry.id} width={columns}>
            <FinishedRow entry={entry} labelWidth={layout.label} />
          </Box>
        )}
      </Static>
      {view.end ? (
        <Box flexDirection="column">
          <Text wrap="truncate">
            {`run ${view.runId ?? ''} ${view.end.interrupted ? 'interrupted' : 'finished'} after ${formatDuration(view.end.wallMs)}`}
            <Text dimColor>{view.runDir ? ` · ${view.runDir}` : ''}</Text>
          </Text>
          {view.end.results.length > 0 ? <SummaryTable results={view.end.results} columns={columns} /> : null}
          {view.end.interrupted && view.runDir ? <ResumeHint runDir={view.runDir} /> : null}
        </Box>
      ) : view.runId ? (
        <Box flexDirection="column">
          <RunHeader view={view} />
          {region.shown.map((cell) => (
            <CellRow key={cell.cellId} cell={cell} layout={layout} now={view.now} sparkLine={region.sparkLines} />
          ))}
          {region.moreLine ? (
            <Text wrap="truncate" dimColor>
              {`  … ${region.hidden} more cells`}
            </Text>
          ) : null}
          <LogTail logs={region.logs > 0 ? view.logs.slice(-region.logs) : []} />
        </Box>
      ) : null}
    </Box>
  )
}
