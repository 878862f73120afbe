import { z } from 'zod'

/** Options every file reporter takes: how the run is analysed (the same in all three, so the analysis is shared). */
export const reportOptionsSchema = z.strictObject({
  bootstrap: z.number().int().min(2).optional().describe("Bootstrap resamples for CIs and comparisons (default: the config's eval.bootstrap, else 2000)."),
  alpha: z.number().gt(0).lt(1).default(0.05).describe('Family-wise error rate of the Holm-corrected comparisons.'),
})

/** Options of the HTML reporter: the shared ones plus the sample browser's limits. */
export const htmlReportOptionsSchema = reportOptionsSchema.extend({
  maxPromptsPerCell: z.number().int().min(0).default(200).describe('At most this many prompts per cell in the sample browser.'),
  maxTextChars: z.number().int().min(1).default(2000).describe('Sample texts longer than this are cut in the sample browser.'),
})
