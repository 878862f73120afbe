import { defineReporter } from 'bonbench'
import { analyseRun, writeReports } from '../write-reports.js'
import { reportOptionsSchema } from './report-options.js'

/**
 * `bonbench:json`: at the end of a run, writes `<runDir>/results.json` (schema in
 * reports/results.schema.json) from the run's journal. Throws BENCH_PLUGIN_OPTIONS on bad options.
 */
export const jsonReporter = defineReporter({
  name: 'bonbench:json',
  meta: { version: '0.1.0', description: 'Writes results.json: metrics with CIs, comparisons, chart data (versioned JSON Schema)' },
  options: reportOptionsSchema,
  create: (resolved) => ({
    async onRunEnd({ runDir }) {
      await writeReports(await analyseRun(runDir, resolved), ['json'])
    },
  }),
})
