import { writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { resultsJsonSchema } from './results-schema.js'

/** Where the committed JSON Schema of results.json lives. */
export const resultsSchemaPath = fileURLToPath(new URL('./results.schema.json', import.meta.url))

/** The committed file's exact text for the current schema (a test checks the two agree). */
export function resultsSchemaText(): string {
  return JSON.stringify(resultsJsonSchema(), null, 2) + '\n'
}

// Regenerate after editing results-schema.ts: `npx tsx reports/write-results-schema.ts`.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(resultsSchemaPath, resultsSchemaText())
  process.stdout.write(`wrote ${resultsSchemaPath}\n`)
}
