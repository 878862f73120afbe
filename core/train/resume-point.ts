import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { privateTempDir, publishDir } from '../run/publish-dir.js'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelCreateContext, ModelInstance, ModelPlugin } from '../plugin-api/model.js'
import type { TrainStepLog } from '../plugin-api/results.js'

/** bonbench's own file in a resume point, beside the model's files. */
export const RESUME_FILE = 'bonbench-resume.json'

/** What training spent up to a resume point (restored so a resumed cell reports the same compute). */
export interface ResumeCompute {
  samplesDrawn: number
  tokensGenerated: number
  tokensTrained: number
}

/**
 * A resumable training checkpoint: after `step` optimizer steps, the model's `saveResumable`
 * files (weights, optimizer state, KL reference) and this record. `logs`: the step logs so far,
 * kept where no journal holds them (pretraining resumed from the cache by another run).
 */
export interface ResumePoint {
  format: 'bonbench-resume/1'
  step: number
  /** The weights' content hash, as `saveResumable` returned it. */
  hash: string
  compute?: ResumeCompute
  logs?: TrainStepLog[]
}

/** Whether this model can write and read resume points (else a resumed training replays from step 0). */
export function canResume(plugin: ModelPlugin, model: ModelInstance): boolean {
  return typeof model.saveResumable === 'function' && typeof plugin.loadResumable === 'function'
}

/**
 * Writes a resume point into `dir` atomically: everything goes into a fresh sibling folder first,
 * which then takes `dir`'s place (the previous point is moved aside, then removed), so `dir`
 * holds either the previous whole point or the new whole point — never a half-written one.
 */
export async function writeResumePoint(model: ModelInstance, dir: string, meta: Omit<ResumePoint, 'format' | 'hash'>): Promise<ResumePoint> {
  if (!model.saveResumable) throw new Error('writeResumePoint needs a model with saveResumable()')
  // A folder of this writer's own: two writers of one resume point (a queue job run again while its
  // first try still runs) never write into the same files, and the swap below tolerates the other.
  const tmp = privateTempDir(dir)
  await mkdir(tmp, { recursive: true })
  try {
    const { hash } = await model.saveResumable(tmp)
    const point: ResumePoint = {
      format: 'bonbench-resume/1',
      step: meta.step,
      hash,
      ...(meta.compute ? { compute: meta.compute } : {}),
      ...(meta.logs ? { logs: meta.logs } : {}),
    }
    writeFileSync(join(tmp, RESUME_FILE), JSON.stringify(point) + '\n')
    publishDir(tmp, dir, { keepExisting: false })
    return point
  } finally {
    rmSync(tmp, { recursive: true, force: true })
  }
}

/** The resume point in `dir`, or undefined when there is none or its record is not readable (a resumed training then replays). */
export function readResumePoint(dir: string): ResumePoint | undefined {
  const file = join(dir, RESUME_FILE)
  if (!existsSync(file)) return undefined
  try {
    const point = JSON.parse(readFileSync(file, 'utf8')) as ResumePoint
    return point?.format === 'bonbench-resume/1' && Number.isInteger(point.step) && point.step > 0 ? point : undefined
  } catch {
    return undefined
  }
}

/** Loads the model of a resume point with its training state (the plugin's `loadResumable`). */
export function loadResumePoint(plugin: ModelPlugin, dir: string, ctx: Omit<ModelCreateContext, 'corpus'>): Promise<ModelInstance> {
  if (!plugin.loadResumable) throw new Error(`model '${plugin.name}' has no loadResumable()`)
  return plugin.loadResumable(dir, ctx)
}

/** Removes a resume point that is no longer needed (its training finished). */
export function removeResumePoint(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/** When training writes a resume point: every `steps` steps, every `seconds` seconds (checked at step ends), or only when stopped. */
export interface ResumeCadence {
  steps?: number
  seconds?: number
}

/** The default cadence: a resume point at the first step end a minute after the last one (and one when the run is stopped). */
export const DEFAULT_RESUME_CADENCE: ResumeCadence = { seconds: 60 }

/**
 * `train.checkpointEvery` as a cadence: a number is steps, `'<n>s'` seconds, `false` none (not even
 * when stopped: a resumed training then replays from step 0); absent, {@link DEFAULT_RESUME_CADENCE}.
 */
export function resumeCadence(every: number | string | false | undefined): ResumeCadence | undefined {
  if (every === false) return undefined
  if (every === undefined) return DEFAULT_RESUME_CADENCE
  if (typeof every === 'number') return { steps: every }
  return { seconds: Number(every.slice(0, -1)) }
}

/** Tracks when the next resume point is due. */
export class ResumeClock {
  #lastStep: number
  #lastTime = Date.now()
  constructor(
    private readonly cadence: ResumeCadence,
    startStep: number,
  ) {
    this.#lastStep = startStep
  }

  /** The step count of the newest resume point (or the start). */
  get saved(): number {
    return this.#lastStep
  }

  /** Whether a point is due after `taken` steps. */
  due(taken: number): boolean {
    if (taken <= this.#lastStep) return false
    if (this.cadence.steps && taken % this.cadence.steps === 0) return true
    return this.cadence.seconds !== undefined && Date.now() - this.#lastTime >= this.cadence.seconds * 1000
  }

  /** Records a point written after `taken` steps. */
  mark(taken: number): void {
    this.#lastStep = taken
    this.#lastTime = Date.now()
  }
}
