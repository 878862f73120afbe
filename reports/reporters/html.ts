import { defineReporter } from 'bonbench'
import { writeHtmlReport } from '../html.js'
import { sampleBrowserData } from '../sample-browser.js'
import { analyseRun } from '../write-reports.js'
import { htmlReportOptionsSchema } from './report-options.js'

/**
 * `bonbench:html`: at the end of a run, writes `<runDir>/report.html`, one self-contained page
 * (Chart.js inline, no network) with the curves, training, difficulty and co-scaling charts and a
 * sample browser. Throws BENCH_PLUGIN_OPTIONS on bad options.
 */
export const htmlReporter = defineReporter({
  name: 'bonbench:html',
  meta: { version: '0.1.0', description: 'Writes report.html: self-contained charts and a sample browser' },
  options: htmlReportOptionsSchema,
  create(resolved) {
    const { maxPromptsPerCell, maxTextChars, ...analysis } = resolved
    return {
      async onRunEnd({ runDir }) {
        const { run, results } = await analyseRun(runDir, analysis)
        await writeHtmlReport(runDir, results, sampleBrowserData(run, results.settings.threshold, { maxPromptsPerCell, maxTextChars }))
      },
    }
  },
})
