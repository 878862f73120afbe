import { defineReporter } from 'bonbench'
import { analyseRun, writeReports } from '../write-reports.js'
import { reportOptionsSchema } from './report-options.js'

/**
 * `bonbench:markdown`: at the end of a run, writes `<runDir>/report.md` (tables with CIs, the
 * environment, every plugin) from the run's journal. Throws BENCH_PLUGIN_OPTIONS on bad options.
 */
export const markdownReporter = defineReporter({
  name: 'bonbench:markdown',
  meta: { version: '0.1.0', description: 'Writes report.md: metric tables with CIs, comparisons, environment and plugins' },
  options: reportOptionsSchema,
  create: (resolved) => ({
    async onRunEnd({ runDir }) {
      await writeReports(await analyseRun(runDir, resolved), ['md'])
    },
  }),
})
