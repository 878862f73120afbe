// A reporter: appends one JSON line per finished cell (its label and pass@N over the grid) to a file
// in the run directory. It reads the events it is given and never reaches into the core.
import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defineReporter, z } from 'bonbench'

export const cellLogReporter = defineReporter({
  name: 'my-lab/cell-log',
  meta: { version: '1.0.0', apiVersion: '^0.1.0', description: 'One JSON line per finished cell' },
  options: z.strictObject({
    file: z
      .string()
      .regex(/^[\w.-]+$/)
      .default('cells.jsonl')
      .describe('File in the run directory'),
  }),
  create: ({ file }) => {
    let path: string | undefined
    return {
      async onEvent(event) {
        if (event.type === 'run:start') path = join(event.runDir, file)
        if (event.type === 'cell:end' && path !== undefined) {
          const { grid, passAtN } = event.result.metrics
          await appendFile(path, JSON.stringify({ cell: event.cellId, grid, passAtN }) + '\n')
        }
      },
    }
  },
})

export default cellLogReporter
