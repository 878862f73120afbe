import { stat } from 'node:fs/promises'
import path from 'node:path'
import { writeHtmlReport } from './html.js'
import { writeMarkdownReport } from './markdown.js'
import { type ReadRunOptions, type RunData, readRun, runFiles } from '../core/run/run-record.js'
import type { BuildResultsOptions } from './results-json.js'
import { buildResults, writeResultsJson } from './results-json.js'
import type { Results } from './results-schema.js'
import { sampleBrowserData } from './sample-browser.js'

/** The report files a run can have. */
export type ReportFormat = 'json' | 'md' | 'html'

/** Every format, in the order they are written. */
export const reportFormats: readonly ReportFormat[] = ['json', 'md', 'html']

/** A run read from disk and analysed. */
export interface RunAnalysis {
  run: RunData
  results: Results
}

const cache = new Map<string, { stamp: string; analysis: Promise<RunAnalysis> }>()

async function journalStamp(runDir: string): Promise<string> {
  const parts = await Promise.all(
    [runFiles.manifest, runFiles.journal].map((f) =>
      stat(path.join(runDir, f)).then(
        (s) => `${s.size}:${s.mtimeMs}`,
        () => 'missing',
      ),
    ),
  )
  return parts.join('|')
}

/**
 * Reads and analyses a run directory. The three reporter plugins call this at the end of the same
 * run, so the analysis (bootstraps included) is memoised per directory until its files change.
 */
export async function analyseRun(runDir: string, options: ReadRunOptions & BuildResultsOptions = {}): Promise<RunAnalysis> {
  const key = `${path.resolve(runDir)}|${JSON.stringify({ ...options, now: undefined })}`
  const stamp = await journalStamp(runDir)
  const hit = cache.get(key)
  if (hit && hit.stamp === stamp) return hit.analysis
  const analysis = readRun(runDir, options).then((run) => ({ run, results: buildResults(run, options) }))
  cache.delete(key)
  cache.set(key, { stamp, analysis })
  // A run's reporters share one analysis; older runs need not stay in memory.
  while (cache.size > 2) cache.delete(cache.keys().next().value!)
  analysis.catch(() => cache.delete(key))
  return analysis
}

/**
 * Writes the chosen report files into the run directory (results.json, report.md, report.html)
 * and returns their paths. Runs at the end of a run (reporter plugins) and in `bench report`.
 */
export async function writeReports(analysis: RunAnalysis, formats: readonly ReportFormat[] = reportFormats): Promise<string[]> {
  const { run, results } = analysis
  const written: string[] = []
  for (const format of reportFormats) {
    if (!formats.includes(format)) continue
    if (format === 'json') written.push(await writeResultsJson(run.runDir, results))
    if (format === 'md') written.push(await writeMarkdownReport(run.runDir, results))
    if (format === 'html') written.push(await writeHtmlReport(run.runDir, results, sampleBrowserData(run, results.settings.threshold)))
  }
  return written
}
