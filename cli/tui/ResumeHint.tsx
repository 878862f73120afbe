/** @jsxRuntime automatic */
/** @jsxImportSource react */
// The pragmas keep the automatic JSX runtime when tsx runs from a folder without our tsconfig.
import { Box, Text } from 'ink'
import { resumeCommand } from '../../core/summary/resume-hint.js'

/** Shown after an interrupted run: finished cells are in the journal, and the command to go on. */
export function ResumeHint({ runDir }: { runDir: string }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text color="yellow">Interrupted: finished cells are kept in the journal. Resume with:</Text>
      <Text>
        {'  '}
        {resumeCommand(runDir)}
      </Text>
    </Box>
  )
}
