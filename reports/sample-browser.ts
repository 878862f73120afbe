import type { RunData } from '../core/run/run-record.js'
import { cellLabel, varyingAxes } from '../core/summary/cell-label.js'

/** One sample as the HTML sample browser shows it. */
export interface BrowserSample {
  text: string
  reward: number
  score: number
  answer?: string
  /** reward ≥ the pass@N threshold. */
  correct: boolean
  /** Among the samples with the pool's top verifier score (what BoN over the whole pool picks, ties at random). */
  picked: boolean
}

/** The pools of one cell. */
export interface BrowserCell {
  cellId: string
  label: string
  prompts: Array<{ promptId: string; samples: BrowserSample[] }>
}

/** The sample browser's data, embedded in report.html next to results.json. */
export interface SampleBrowserData {
  threshold: number
  cells: BrowserCell[]
  /** True when prompts or text were cut to keep the file small. */
  truncated: boolean
}

/** Limits that keep report.html small for big runs. */
export interface SampleBrowserLimits {
  maxPromptsPerCell?: number
  maxTextChars?: number
}

/**
 * Builds the sample browser's data from a run's journaled pools. Runs once per HTML report.
 * Guarantees: cells in `run.cells` order (each journaled pool included), at most
 * `maxPromptsPerCell` prompts per cell (default 200) and `maxTextChars` per text (default 2000).
 */
export function sampleBrowserData(run: RunData, threshold: number, limits: SampleBrowserLimits = {}): SampleBrowserData {
  const maxPrompts = limits.maxPromptsPerCell ?? 200
  const maxText = limits.maxTextChars ?? 2000
  const keys = run.manifest.cells.length > 0 ? run.manifest.cells.map((c) => c.key) : run.cells.map((c) => c.key)
  const axes = varyingAxes(keys)
  let truncated = false
  const cellOrder = [...run.cells.map((c) => c.cellId), ...[...run.pools.keys()].filter((id) => !run.cells.some((c) => c.cellId === id))]
  const cells: BrowserCell[] = []
  for (const cellId of cellOrder) {
    const byPrompt = run.pools.get(cellId)
    if (!byPrompt || byPrompt.size === 0) continue
    const key = run.cells.find((c) => c.cellId === cellId)?.key ?? run.manifest.cells.find((c) => c.cellId === cellId)?.key
    const prompts: BrowserCell['prompts'] = []
    for (const [promptId, pool] of byPrompt) {
      if (prompts.length >= maxPrompts) {
        truncated = true
        break
      }
      const top = pool.reduce((best, s) => Math.max(best, s.score), -Infinity)
      prompts.push({
        promptId,
        samples: pool.map((s) => {
          if (s.text.length > maxText) truncated = true
          const sample: BrowserSample = {
            text: s.text.length > maxText ? `${s.text.slice(0, maxText)}…` : s.text,
            reward: s.reward,
            score: s.score,
            correct: s.reward >= threshold,
            picked: s.score === top,
          }
          if (s.answer !== undefined) sample.answer = s.answer
          return sample
        }),
      })
    }
    cells.push({ cellId, label: key ? cellLabel(key, axes) : cellId, prompts })
  }
  return { threshold, cells, truncated }
}
