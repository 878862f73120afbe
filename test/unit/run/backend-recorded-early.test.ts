import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { selectBackend } from '../../../core/backend/select-backend.js'
import type { UserConfig } from '../../../core/config/types.js'
import type { RunEvent } from '../../../core/events.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { expectSameJournal } from '../../helpers/compare-journals.js'
import { keepBackend } from '../../helpers/keep-backend.js'
import { journalOf, tempProject, toyRunSetupWithPlugins } from '../../helpers/toy-run.js'

// A run that asked for `--backend auto` records the backend its model runs on before the first
// pretraining record is journaled (core/run/prepare-base.ts), so that one stopped during
// pretraining resumes on that backend (core/run/manifest.ts, onRecordedBackend) wherever it is
// resumed. It was recorded once the base model existed, after pretraining: a run stopped before
// had none, and resumed where `auto` picks another backend it journaled the later pretraining
// steps from that backend's numbers after the first ones from the first backend's.
//
// tfjs holds one backend per thread, and `auto` keeps the one selected: selecting cpu first makes
// `auto` pick cpu here (a machine without the wasm backend), selecting wasm makes it pick wasm
// (the machine the run is resumed on).

keepBackend()

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

const tinyToy: UserConfig = {
  plugins: [
    ['toy', { prompts: 12 }],
    ['tiny-transformer', { layers: 1, width: 16, heads: 2, context: 32 }],
  ],
  matrix: { task: 'toy', model: 'tiny-transformer', strategies: [] },
  train: { pretrainSteps: 6, pretrainBatch: 2, checkpointEvery: 2 },
  eval: { testPrompts: 2 },
}

async function setupIn(): Promise<Awaited<ReturnType<typeof toyRunSetupWithPlugins>> & { dir: string }> {
  const project = tempProject('bonbench-backend-early-')
  cleanups.push(project.cleanup)
  const setup = await toyRunSetupWithPlugins(project.dir, { config: tinyToy })
  expect(setup.config.backend).toBe('auto')
  return { ...setup, dir: project.dir }
}

const backendOf = (runDir: string) =>
  (JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { provenance: { backend: Record<string, string> } }).provenance.backend
const pretrainSteps = (runDir: string) => journalOf(runDir).filter((r) => r.type === 'train' && r.cellId === 'pretrain').length

describe('a run with --backend auto stopped during pretraining', () => {
  it('has recorded its backend, and resumed where auto picks another, pretrains on where it started', async () => {
    await selectBackend('cpu')
    const reference = await setupIn()
    const uninterrupted = await runMatrix(reference)
    expect(backendOf(uninterrupted.runDir)).toMatchObject({ requested: 'auto', resolved: 'cpu' })

    const setup = await setupIn()
    const controller = new AbortController()
    const stopAt = (e: RunEvent) => e.type === 'train:step' && e.cellId === 'pretrain' && e.log.step === 2 && controller.abort()
    const stopped = await runMatrix({ ...setup, signal: controller.signal, listeners: [stopAt] })
    expect(stopped.interrupted).toBe(true)
    expect(pretrainSteps(stopped.runDir)).toBe(3)
    // Recorded before its first pretraining record, not only once the base model exists.
    expect(backendOf(stopped.runDir)).toMatchObject({ requested: 'auto', resolved: 'cpu' })

    // Resumed where `auto` picks wasm: it goes on on cpu, without a warning, and its journal is
    // the uninterrupted run's record for record (the pretraining steps of one backend).
    await selectBackend('wasm')
    const warnings: string[] = []
    const resumed = await runMatrix({
      ...setup,
      resumeDir: stopped.runDir,
      listeners: [(e) => e.type === 'log' && e.level === 'warn' && warnings.push(e.message)],
    })
    expect(resumed.interrupted).toBe(false)
    expect(warnings.filter((w) => w.includes('backend'))).toEqual([])
    expect(backendOf(stopped.runDir)).toMatchObject({ requested: 'auto', resolved: 'cpu' })
    expect(pretrainSteps(stopped.runDir)).toBe(6)
    expectSameJournal(join(uninterrupted.runDir, 'journal.jsonl'), join(stopped.runDir, 'journal.jsonl'))
  }, 60_000)
})
