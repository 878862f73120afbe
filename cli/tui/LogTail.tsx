/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The pragmas keep the automatic JSX runtime when tsx runs from a folder without our tsconfig.
import { Box, Text } from 'ink'
import type { LogEntry } from './run-state.js'

const levelColor = { info: undefined, warn: 'yellow', error: 'red' } as const

/** The last few log lines, one line each (cut to the width), dim unless warnings or errors. */
export function LogTail({ logs }: { logs: readonly LogEntry[] }) {
  if (logs.length === 0) return null
  return (
    <Box flexDirection="column">
      {logs.map((log) => (
        <Text key={log.seq} wrap="truncate" dimColor={log.level === 'info'} color={levelColor[log.level]}>
          {`${log.level}${log.label ? ` [${log.label}]` : ''}: ${log.message.split('\n')[0]}`}
        </Text>
      ))}
    </Box>
  )
}
