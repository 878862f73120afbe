import { readFileSync } from 'node:fs'
import { publishFile } from './publish-dir.js'
import { join } from 'node:path'
import type { RunEvent, Phase } from '../events.js'

/**
 * Seconds per unit of work measured by a finished run, per (model, task, backend, cores), kept under
 * `<cacheDir>/throughput/`. Later estimates on the same machine use them in place of the model's
 * declared throughput. They change only the printed estimate, never a result.
 */
export interface MeasuredRates {
  /** Seconds per pretraining sequence (steps × pretrainBatch), with the run that measured it. */
  pretrainSequence?: MeasuredRate
  /** Seconds per fine-tuning sequence, the training samples it draws included. */
  trainSequence?: MeasuredRate
  /** Seconds per evaluation (or selector-preparation) sample, verifying and metrics included. */
  evalSample?: MeasuredRate
}

export interface MeasuredRate {
  seconds: number
  runId: string
}

/**
 * Where the rates of (model, task, backend, cores) are kept. Keyed by task too: a sample's cost
 * depends on the task's batch shape (40 toy prompts per call cost far more per sample than 6,400
 * math ones), so one task's rates would mislead another's estimate.
 */
export function measuredRatesPath(cacheDir: string, model: string, task: string, backend: string, cores: number): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_')
  return join(cacheDir, 'throughput', `${safe(model)}-${safe(task)}-${safe(backend)}-${cores}.json`)
}

/** The recorded rates, or none when there are none (or the file is unreadable: an estimate is never worth an error). */
export function readMeasuredRates(path: string): MeasuredRates | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as MeasuredRates
  } catch {
    return undefined
  }
}

/** Merges the rates a run measured into the file (rates it did not measure are kept), written atomically. */
export function recordMeasuredRates(path: string, rates: MeasuredRates): void {
  const merged = { ...readMeasuredRates(path), ...rates }
  publishFile(path, JSON.stringify(merged, null, 2) + '\n')
}

/** Wall seconds a run spent per kind of work, summed from its phase events. */
export class PhaseClock {
  readonly seconds = { pretrain: 0, train: 0, eval: 0 }
  private open: { bucket: keyof PhaseClock['seconds']; since: number } | undefined

  constructor(private readonly now: () => number = () => performance.now()) {}

  onEvent(event: RunEvent): void {
    if (event.type === 'phase') {
      this.close()
      this.open = { bucket: bucketOf(event.phase), since: this.now() }
    } else if (event.type === 'cell:end' || event.type === 'cell:error' || event.type === 'run:end') {
      this.close()
    }
  }

  close(): void {
    if (this.open) this.seconds[this.open.bucket] += (this.now() - this.open.since) / 1000
    this.open = undefined
  }
}

function bucketOf(phase: Phase): keyof PhaseClock['seconds'] {
  return phase === 'pretrain' ? 'pretrain' : phase === 'train' ? 'train' : 'eval'
}
