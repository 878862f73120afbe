import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { UserConfig } from '../../../core/config/types.js'
import type { RunEvent } from '../../../core/events.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { readResumePoint } from '../../../core/train/resume-point.js'
import { expectSameJournal } from '../../helpers/compare-journals.js'
import { tempProject, toyRunSetupWithPlugins } from '../../helpers/toy-run.js'

// Resume at step granularity (issue 19 §5): training cells and pretraining write a resume point
// (weights, optimizer state, step) every `train.checkpointEvery` steps and when the run is stopped;
// `--resume` continues from it. The rule: the resumed run's journal — every training log, checkpoint
// hash, pool and metric — equals an uninterrupted run's, record for record. Each case stops a run
// through its AbortSignal (what Ctrl-C does) at an exact event, resumes it, and compares.

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

/**
 * A tiny-transformer on `math` level 1 with an oracle selector: pretraining and two arms that update
 * at every step (sft on the expert; bond, SFT on BoN picks plus a KL penalty), in seconds. bond
 * draws its fewest samples (K = 2 policy and M = 2 reference samples per prompt, not max(2N′, 4)
 * and max(2N′, 8)): its sampling was two thirds of a run, and what is resumed does not depend on it.
 */
const tinyMath: UserConfig = {
  plugins: [
    ['math', { levels: [1] }],
    ['tiny-transformer', { layers: 1, width: 16, heads: 2, context: 32, dropout: 0.1 }],
    ['bond', { k: 2, 'reference-samples': 2 }],
  ],
  matrix: { task: 'math', model: 'tiny-transformer', strategies: ['sft', 'bond'], nTrain: [2], verifier: 'math-answer' },
  train: { steps: 8, batchPrompts: 2, pretrainSteps: 10, pretrainBatch: 4, checkpointEvery: 3, evalEvery: 4 },
  eval: { testPrompts: 2 },
}

/** The tabular model with Adam (moments to carry over) on `toy`; vbon trains with a KL penalty (a reference to carry over). */
const toy: UserConfig = {
  plugins: [['tabular', { optimizer: 'adam', learningRate: 0.5 }]],
  matrix: { strategies: ['rl', 'vbon'], nTrain: [2] },
  train: { steps: 12, checkpointEvery: 5, evalEvery: 4 },
}

interface Stop {
  what: string
  config: UserConfig
  /** Stop the run when this event arrives. */
  at(event: RunEvent): boolean
  /** The resumed run's log line that says where training went on from. */
  says: RegExp
  /** The step it went on from (the steps before it are not taken again). */
  from: number
  /** The cell (or 'pretrain') whose steps the resume does not take again. */
  cell: string
  /** Its steps in all. */
  steps: number
}

const trainStep = (cell: string, step: number) => (e: RunEvent) => e.type === 'train:step' && e.cellId === cell && e.log.step === step

const STOPS: Stop[] = [
  {
    what: 'tabular, mid-cell training (between resume points)',
    config: toy,
    at: trainStep('rl-n1-t1-s1', 6),
    says: /resume: rl-n1-t1-s1 continues from step 7 of 12/,
    from: 7,
    cell: 'rl-n1-t1-s1',
    steps: 12,
  },
  {
    what: 'tabular, at a checkpoint evaluation (step 8, after the resume point of step 5)',
    config: toy,
    at: trainStep('vbon-n2-t1-s1', 7),
    says: /resume: vbon-n2-t1-s1 continues from step 8 of 12/,
    from: 8,
    cell: 'vbon-n2-t1-s1',
    steps: 12,
  },
  {
    what: 'tiny-transformer, mid-pretraining',
    config: tinyMath,
    at: trainStep('pretrain', 4),
    says: /base model: continues pretraining from step 5 of 10/,
    from: 5,
    cell: 'pretrain',
    steps: 10,
  },
  {
    what: 'tiny-transformer, mid-cell training',
    config: tinyMath,
    at: trainStep('bond-n2-t1-s1', 4),
    says: /resume: bond-n2-t1-s1 continues from step 5 of 8/,
    from: 5,
    cell: 'bond-n2-t1-s1',
    steps: 8,
  },
  {
    what: 'tiny-transformer, at a checkpoint evaluation',
    config: tinyMath,
    at: trainStep('sft-n1-t1-s1', 3),
    says: /resume: sft-n1-t1-s1 continues from step 4 of 8/,
    from: 4,
    cell: 'sft-n1-t1-s1',
    steps: 8,
  },
]

const journalOf = (runDir: string) => join(runDir, 'journal.jsonl')

describe('a run stopped mid-training resumes from its resume point with the uninterrupted numbers', () => {
  // One uninterrupted run per config, kept for the whole file.
  const references = new Map<UserConfig, string>()
  const referenceProjects: Array<() => void> = []
  afterAll(() => referenceProjects.splice(0).forEach((c) => c()))
  async function reference(config: UserConfig): Promise<string> {
    const known = references.get(config)
    if (known) return known
    const project = tempProject()
    referenceProjects.push(project.cleanup)
    const outcome = await runMatrix(await toyRunSetupWithPlugins(project.dir, { config }))
    expect(outcome.interrupted).toBe(false)
    references.set(config, outcome.runDir)
    return outcome.runDir
  }

  it.each(STOPS)(
    '$what',
    async (stop) => {
      const expected = await reference(stop.config)
      const project = tempProject()
      cleanups.push(project.cleanup)
      const setup = await toyRunSetupWithPlugins(project.dir, { config: stop.config })
      const controller = new AbortController()
      const stopped = await runMatrix({ ...setup, signal: controller.signal, listeners: [(e) => stop.at(e) && controller.abort()] })
      expect(stopped.interrupted).toBe(true)
      if (stop.cell === 'pretrain') {
        // Interrupted pretraining is never the finished base model: only its partial entry is in the cache.
        const entries = readdirSync(join(project.dir, 'cache', 'models'))
        expect(entries).toHaveLength(1)
        expect(entries[0]).toMatch(/\.partial$/)
        expect(readResumePoint(join(project.dir, 'cache', 'models', entries[0]!))?.step).toBe(5)
      } else {
        expect(existsSync(join(stopped.runDir, 'resume', stop.cell, 'bonbench-resume.json'))).toBe(true)
      }

      const events: RunEvent[] = []
      const resumed = await runMatrix({ ...setup, resumeDir: stopped.runDir, listeners: [(e) => events.push(e)] })
      expect(resumed.interrupted).toBe(false)
      const logs = events.flatMap((e) => (e.type === 'log' ? [e.message] : []))
      expect(
        logs.find((l) => stop.says.test(l)),
        logs.join('\n'),
      ).toBeDefined()
      expect(logs.filter((l) => /does not train deterministically/.test(l))).toEqual([])
      // No step is taken twice: the run stopped at a step boundary and saved it.
      const taken = events.filter((e) => e.type === 'train:step' && e.cellId === stop.cell && e.log.step >= stop.from)
      expect(taken).toHaveLength(stop.steps - stop.from)
      // Every number equals the uninterrupted run's: step logs, checkpoint hashes, pools, metrics, KL.
      expectSameJournal(journalOf(expected), journalOf(stopped.runDir))
      // Finished training leaves no resume point behind.
      expect(existsSync(join(stopped.runDir, 'resume', stop.cell))).toBe(false)
      expect(readdirSync(join(project.dir, 'cache', 'models')).filter((e) => e.endsWith('.partial'))).toEqual([])
    },
    120_000,
  )
})
