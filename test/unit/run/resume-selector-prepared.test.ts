import { describe, expect, it } from 'vitest'
import { selectBackend } from '../../../core/backend/select-backend.js'
import type { UserConfig } from '../../../core/config/types.js'
import type { RunEvent } from '../../../core/events.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { keepBackend } from '../../helpers/keep-backend.js'
import { journalOf, tempProject, toyRunSetupWithPlugins } from '../../helpers/toy-run.js'

// A run whose model runs on no TensorFlow.js backend (tabular) with a learned selector (the reward
// model, which trains on whatever backend the thread has: `auto`). Resumed where that is another
// backend, the reward model was prepared again there — other weights, other scores — and the rest
// of the cells were judged by it: a run of two verifiers, without a word. A resume now compares the
// selector's preparation with the one the run journaled and refuses to go on when they differ.
// tfjs holds one backend per thread: selecting cpu, then wasm, stands in for two machines.

keepBackend()

const config: UserConfig = {
  plugins: [
    ['toy', { prompts: 8 }],
    ['reward-model', { samplesPerPrompt: 3, maxPrompts: 6 }],
  ],
  matrix: { task: 'toy', model: 'tabular', strategies: ['bon-sft'], nTrain: [2], nGrid: [1, 2], seeds: [0, 1], verifier: 'reward-model' },
  train: { steps: 2 },
  eval: { testPrompts: 4 },
}

describe('a resumed run whose learned selector prepares differently', () => {
  it('is refused before any cell runs, naming the difference (the backend); resumed where it prepares as before, it finishes', async () => {
    const project = tempProject('bonbench-resume-selector-')
    try {
      await selectBackend('cpu')
      const setup = await toyRunSetupWithPlugins(project.dir, { config })
      const controller = new AbortController()
      let cells = 0
      const stopAfterOne = (e: RunEvent) => e.type === 'cell:end' && ++cells === 1 && controller.abort()
      const stopped = await runMatrix({ ...setup, signal: controller.signal, listeners: [stopAfterOne] })
      expect(stopped.interrupted).toBe(true)
      const prepare = journalOf(stopped.runDir).find((r) => r.type === 'prepare')
      expect(prepare).toMatchObject({ name: 'bonbench:reward-model', facts: { backend: 'cpu' } })

      await selectBackend('wasm')
      const refused = runMatrix({ ...setup, resumeDir: stopped.runDir })
      await expect(refused).rejects.toMatchObject({ code: 'BENCH_USAGE' })
      await expect(refused).rejects.toThrow('bonbench:reward-model prepared here on the TensorFlow.js backend "wasm", the run\'s on "cpu"')
      const journaled = journalOf(stopped.runDir).length

      await selectBackend('cpu')
      const resumed = await runMatrix({ ...setup, resumeDir: stopped.runDir })
      expect(resumed.interrupted).toBe(false)
      expect(journalOf(stopped.runDir).length).toBeGreaterThan(journaled)
    } finally {
      project.cleanup()
    }
  }, 120_000)
})
