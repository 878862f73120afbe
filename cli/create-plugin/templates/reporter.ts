import type { PluginTemplate } from '../template-types.js'

/** A reporter: counts the run's events and writes the counts into the run directory. */
export const reporterTemplate: PluginTemplate = {
  kind: 'reporter',
  summary: "A bonbench reporter: counts a run's events by type and writes them as JSON into the run directory.",
  option: '`file` (file name, default `"event-counts.json"`): the file it writes in the run directory.',
  source: ({ pluginName, identifier, bonbenchRange }) => `import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defineReporter, z } from 'bonbench'

/**
 * ${pluginName}: counts the run's events by type (\`cell:end\`, \`train:step\`, …) and, when the
 * run ends, writes \`{ events, cells, interrupted }\` to \`file\` in the run directory. It only
 * reads the events it is given.
 */
export const ${identifier} = defineReporter({
  name: '${pluginName}',
  // version: keep it equal to package.json's; apiVersion: the bonbench versions this plugin needs.
  meta: { version: '0.1.0', apiVersion: '${bonbenchRange}', description: 'Event counts as JSON in the run directory' },
  options: z.strictObject({
    file: z.string().regex(/^[\\w.-]+$/, 'a file name without a folder').default('event-counts.json').describe('The file it writes in the run directory'),
  }),
  create: ({ file }) => {
    let counts: Record<string, number> = {}
    return {
      onEvent(event) {
        if (event.type === 'run:start') counts = {}
        counts[event.type] = (counts[event.type] ?? 0) + 1
      },
      async onRunEnd({ runDir, results, interrupted }) {
        await writeFile(join(runDir, file), JSON.stringify({ events: counts, cells: results.length, interrupted }, null, 2) + '\\n')
      },
    }
  },
})

export default ${identifier}
`,
  test: ({ pluginName, identifier }) => `import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { assertContract, checkReporterContract, sampleRunEvents } from 'bonbench/testing'
import { ${identifier} } from './index.js'

test('${pluginName} keeps the reporter contract', async () => {
  assertContract(await checkReporterContract(${identifier}()))
})

test('writes the event counts to file', async () => {
  const runDir = await mkdtemp(join(tmpdir(), 'reporter-test-'))
  try {
    const reporter = ${identifier}({ file: 'counts.json' })
    const events = sampleRunEvents(runDir)
    for (const event of events) await reporter.onEvent?.(event)
    await reporter.onRunEnd?.({ runDir, results: [], interrupted: false })
    const written = JSON.parse(await readFile(join(runDir, 'counts.json'), 'utf8'))
    assert.equal(written.events['run:start'], 1)
    assert.equal(Object.values(written.events as Record<string, number>).reduce((a, b) => a + b, 0), events.length)
  } finally {
    await rm(runDir, { recursive: true, force: true })
  }
})
`,
  usage: ({ packageName }) => `export default defineConfig({
  plugins: ['${packageName}'],                // or ['${packageName}', { file: 'counts.json' }]
})`,
}
