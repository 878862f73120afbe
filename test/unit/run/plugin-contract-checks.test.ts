import { afterAll, describe, expect, it } from 'vitest'
import type { ModelInstance, ModelPlugin, SampleResult } from '../../../core/plugin-api/model.js'
import type { ReporterPlugin } from '../../../core/plugin-api/reporter.js'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import type { TaskData, TaskPlugin } from '../../../core/plugin-api/task.js'
import type { Verdict, VerifierPlugin } from '../../../core/plugin-api/verifier.js'
import type { Plugin } from '../../../core/plugin-api/index.js'
import type { UserConfig } from '../../../core/config/types.js'
import { backendFailedError } from '../../../core/backend/device-failure.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { tabular } from '../../../plugins/models/tabular/index.js'
import { toy } from '../../../plugins/tasks/toy/index.js'
import { toyAnswer } from '../../../plugins/verifiers/toy-answer/index.js'
import { journalOf, onlyRunDir, tempProject, toyRunSetup } from '../../helpers/toy-run.js'

const projects: Array<{ cleanup(): void }> = []
afterAll(() => projects.forEach((p) => p.cleanup()))
const meta = { version: '1.0.0' }

/**
 * Runs toy × tabular with two seeds (cells base-…-s1 then base-…-s2; 2 test prompts, pools of 4)
 * plus the given plugins. `broken()` turns true when the second cell starts, so the first cell is
 * journaled before the bad output. Returns the error the run threw and the journal it left.
 */
async function runUntilBroken(make: (broken: () => boolean) => { plugins: Plugin[]; config?: UserConfig }) {
  const p = tempProject('bonbench-contract-')
  projects.push(p)
  let cells = 0
  const flip: ReporterPlugin = { name: 'test/flip', kind: 'reporter', meta, onEvent: (e) => void (e.type === 'cell:start' && cells++) }
  const { plugins, config } = make(() => cells >= 2)
  const setup = toyRunSetup(p.dir, { plugins, config: { ...config, matrix: { seeds: [1, 2], ...config?.matrix }, eval: { testPrompts: 2 } } })
  const error = await runMatrix({ ...setup, reporters: [flip] }).then(
    () => undefined,
    (e: unknown) => e,
  )
  const records = journalOf(onlyRunDir(p.dir))
  return { error: error as { code?: string; message: string } | undefined, records }
}

/** The first cell finished and is journaled; the second was journaled as an error with the contract message. */
function expectJournalKept(records: ReturnType<typeof journalOf>, message: string) {
  const cellRecords = records.filter((r) => r.type === 'cell')
  expect(cellRecords.map((r) => r.cellId)).toEqual(['base-n1-t1-s1'])
  expect(records.filter((r) => r.type === 'pool' && r.cellId === 'base-n1-t1-s1')).toHaveLength(2)
  expect(records.filter((r) => r.type === 'error')).toEqual([expect.objectContaining({ cellId: 'base-n1-t1-s2', message })])
}

function verifierThat(change: (verdicts: Verdict[]) => unknown) {
  return (broken: () => boolean) => {
    const real = toyAnswer()
    const verifier: VerifierPlugin = {
      ...real,
      name: 'acme/judge',
      score: async (batch, ctx) => {
        const verdicts = await real.score(batch, ctx)
        return (broken() ? change(verdicts) : verdicts) as Verdict[]
      },
    }
    const task: TaskPlugin = { ...toy(), name: 'acme/task', rewardVerifier: 'acme/judge' }
    return { plugins: [verifier, task], config: { matrix: { task: 'acme/task' } } }
  }
}

function modelThat(change: (results: SampleResult[]) => unknown) {
  return (broken: () => boolean) => {
    const real = tabular()
    const wrap = (instance: ModelInstance): ModelInstance => ({
      ...instance,
      sample: async (requests, opts) => {
        const results = await instance.sample(requests, opts)
        return (broken() ? change(results) : results) as SampleResult[]
      },
    })
    const model: ModelPlugin = { ...real, name: 'acme/model', create: async (ctx) => wrap(await real.create(ctx)) }
    return { plugins: [model], config: { matrix: { model: 'acme/model' } } }
  }
}

describe('a plugin hook that throws', () => {
  it("fails its cell with an error naming the plugin and the hook (it read 'score exploded' alone), and the run goes on", async () => {
    const { error, records } = await runUntilBroken(
      verifierThat(() => {
        throw new Error('score exploded')
      }),
    )
    expect(error).toBeUndefined()
    expect(records.filter((r) => r.type === 'cell').map((r) => r.cellId)).toEqual(['base-n1-t1-s1'])
    expect(records.filter((r) => r.type === 'error')).toEqual([
      expect.objectContaining({ cellId: 'base-n1-t1-s2', message: "verifier plugin 'acme/judge' score() threw: score exploded" }),
    ])
  })
})

describe('run-time checks of plugin outputs (BENCH_PLUGIN_CONTRACT)', () => {
  it('a verifier that returns 7 verdicts for 8 candidates stops the run, naming verifier, call, expected and got', async () => {
    const { error, records } = await runUntilBroken(verifierThat((v) => v.slice(0, -1)))
    expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
    expect(error!.message).toContain("verifier plugin 'acme/judge'")
    expect(error!.message).toContain('score() of 8 candidate(s)')
    expect(error!.message).toContain('expected 8 verdicts (one per candidate, in order), got 7 verdicts')
    expectJournalKept(records, error!.message)
  })

  it('a verifier verdict without a finite score stops the run', async () => {
    const { error, records } = await runUntilBroken(verifierThat((v) => v.map((x, i) => (i === 3 ? { ...x, score: Number.NaN } : x))))
    expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT', message: expect.stringContaining('expected verdict 3') })
    expect(error!.message).toContain('to have a finite number score, got NaN')
    expectJournalKept(records, error!.message)
  })

  it('a model that returns n−1 samples stops the run', async () => {
    const { error, records } = await runUntilBroken(modelThat((rs) => rs.map((r) => ({ ...r, completions: r.completions.slice(1) }))))
    expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
    expect(error!.message).toMatch(
      /model plugin 'acme\/model' broke its contract in sample\(\) of 2 request\(s\): expected n = 4 completions for prompt '[^']+', got 3 completions/,
    )
    expectJournalKept(records, error!.message)
  })

  it('a model that answers for the wrong prompt stops the run', async () => {
    const { error, records } = await runUntilBroken(modelThat((rs) => [...rs].reverse()))
    expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
    expect(error!.message).toMatch(
      /sample\(\) of 2 request\(s\): expected result 0 for prompt '([^']+)' \(results in request order\), got promptId the string "(?!\1)[^"]+"/,
    )
    expectJournalKept(records, error!.message)
  })

  it('a model whose backend fails (BENCH_BACKEND_FAILED, e.g. a WebGPU device error) stops the run instead of failing one cell after another', async () => {
    const failure = backendFailedError('webgpu', {
      kind: 'out-of-memory',
      message: 'Out of memory.',
      kernel: 'MatMulPackedProgram',
      shapes: [[1, 81, 96]],
      approximate: true,
    })
    const { error, records } = await runUntilBroken(
      modelThat(() => {
        throw failure
      }),
    )
    expect(error).toMatchObject({ code: 'BENCH_BACKEND_FAILED', message: failure.message })
    expect(failure.message).toMatch(
      /^webgpu: out-of-memory error after kernel MatMulPackedProgram \(inputs \[1, 81, 96\]\): Out of memory\. Results computed after it/,
    )
    expectJournalKept(records, failure.message)
  })

  it('a model whose completion text is not a string stops the run', async () => {
    const { error, records } = await runUntilBroken(modelThat((rs) => rs.map((r) => ({ ...r, completions: r.completions.map((c) => ({ ...c, text: 42 })) }))))
    expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
    expect(error!.message).toMatch(/expected completion 0 of prompt '[^']+' to have a string text, got 42/)
    expectJournalKept(records, error!.message)
  })

  it('a verifier that throws a non-Error (throw 42) fails its cell with a message that says so; the run goes on', async () => {
    const { error, records } = await runUntilBroken(
      verifierThat(() => {
        throw 42
      }),
    )
    expect(error).toBeUndefined()
    expectJournalKept(
      records,
      "verifier plugin 'acme/judge' score() threw 42, not an Error: the plugin should throw an Error whose message says what went wrong",
    )
  })

  describe('strategies', () => {
    const strategy = (weight: (completion: string) => { completion: string; weight: number }): StrategyPlugin => ({
      name: 'acme/bad',
      kind: 'strategy',
      meta,
      selection: 'none',
      needs: () => ({ policySamples: 2 }),
      weights: (group) => ({ sequences: group.policy.map((s) => ({ prompt: group.problem.prompt, ...weight(s.completion) })) }),
    })
    const cases: Array<[string, StrategyPlugin, RegExp]> = [
      ['a NaN weight', strategy((completion) => ({ completion, weight: Number.NaN })), /expected sequence 0 to have a finite weight, got NaN/],
      [
        'an Infinity weight',
        strategy((completion) => ({ completion, weight: Number.POSITIVE_INFINITY })),
        /expected sequence 0 to have a finite weight, got Infinity/,
      ],
      [
        'a weight for a sequence it was not given',
        strategy(() => ({ completion: 'made up', weight: 1 })),
        /expected sequence 0 to be one of the \d completion\(s\) of the group .*got completion the string "made up", which the group does not hold/,
      ],
    ]
    it.each(cases)('%s stops the run, naming strategy, step and prompt', async (_, plugin, expected) => {
      const p = tempProject('bonbench-contract-')
      projects.push(p)
      const setup = toyRunSetup(p.dir, { plugins: [plugin], config: { matrix: { strategies: ['acme/bad'] } } })
      const error = await runMatrix(setup).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      )
      expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
      expect(error!.message).toMatch(/^strategy plugin 'acme\/bad' broke its contract in weights\(\) at training step 0 for prompt '[^']+': /)
      expect(error!.message).toMatch(expected)
      const records = journalOf(onlyRunDir(p.dir))
      expect(records.filter((r) => r.type === 'cell').map((r) => r.cellId)).toEqual(['base-n1-t1-s1'])
      expect(records.filter((r) => r.type === 'error')).toEqual([expect.objectContaining({ cellId: 'bad-n1-t1-s1', message: error!.message })])
    })
  })

  describe('strategy needs', () => {
    const needing = (policySamples: number): StrategyPlugin => ({
      name: 'acme/needy',
      kind: 'strategy',
      meta,
      selection: 'none',
      needs: () => ({ policySamples }),
      weights: (group) => ({ sequences: group.policy.map((s) => ({ prompt: group.problem.prompt, completion: s.completion, weight: 0.5 })) }),
    })
    // NaN reached the model, which was blamed for it; -1 trained on nothing and the cell passed.
    it.each([
      ['NaN', Number.NaN],
      ['-1', -1],
      ['2.5', 2.5],
    ])('policySamples %s stops the run before any sample is drawn, naming the strategy and needs()', async (shown, policySamples) => {
      const p = tempProject('bonbench-contract-')
      projects.push(p)
      const setup = toyRunSetup(p.dir, { plugins: [needing(policySamples)], config: { matrix: { strategies: ['acme/needy'] } } })
      const error = await runMatrix(setup).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      )
      expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
      expect(error!.message).toContain(
        `strategy plugin 'acme/needy' broke its contract in needs({ nTrain: 1 }): expected policySamples to be an integer ≥ 0, got ${shown}`,
      )
    })
  })

  describe('tasks', () => {
    const taskWith = (change: (data: TaskData) => unknown): TaskPlugin => {
      const real = toy()
      return { ...real, name: 'acme/task', load: async (ctx) => change(await real.load(ctx)) as TaskData }
    }
    const cases: Array<[string, TaskPlugin, RegExp]> = [
      ['no test split', taskWith((d) => ({ train: d.train })), /expected test to be an array of problems, got undefined/],
      [
        'a problem without a prompt',
        taskWith((d) => ({ ...d, test: [{ id: 'x' }, ...d.test] })),
        /expected test\[0\] \('x'\) to have a string prompt, got undefined/,
      ],
      [
        'two problems with one id',
        taskWith((d) => ({ ...d, test: [d.test[0], d.test[0]] })),
        /expected unique problem ids within test .*, got id '[^']+' twice \(again at test\[1\]\)/,
      ],
      ['a numeric id', taskWith((d) => ({ ...d, train: [{ ...d.train[0], id: 7 }] })), /expected train\[0\] to have a non-empty string id, got 7/],
    ]
    it.each(cases)('%s stops the run before any work, naming the task', async (_, plugin, expected) => {
      const p = tempProject('bonbench-contract-')
      projects.push(p)
      const setup = toyRunSetup(p.dir, { plugins: [plugin], config: { matrix: { task: 'acme/task' } } })
      const error = await runMatrix(setup).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      )
      expect(error).toMatchObject({
        code: 'BENCH_PLUGIN_CONTRACT',
        message: expect.stringMatching(/^task plugin 'acme\/task' broke its contract in load\(\): /),
      })
      expect(error!.message).toMatch(expected)
    })
  })

  describe('reporters', () => {
    it('an onEvent that throws stops the run after the current cell, naming reporter, hook and event; the journal keeps what was done', async () => {
      const { error, records } = await runUntilBroken(() => ({
        plugins: [],
      }))
      expect(error).toBeUndefined()
      expect(records.filter((r) => r.type === 'cell')).toHaveLength(2)

      for (const mode of ['throws', 'rejects'] as const) {
        const p = tempProject('bonbench-contract-')
        projects.push(p)
        const bad: ReporterPlugin = {
          name: 'acme/reporter',
          kind: 'reporter',
          meta,
          onEvent: (e) => {
            if (e.type !== 'cell:end') return
            if (mode === 'throws') throw new Error('disk full')
            return Promise.reject(new Error('disk full'))
          },
        }
        const setup = toyRunSetup(p.dir, { config: { matrix: { seeds: [1, 2] } } })
        const error = await runMatrix({ ...setup, reporters: [bad] }).then(
          () => undefined,
          (e: unknown) => e as { code: string; message: string },
        )
        expect(error).toMatchObject({ code: 'BENCH_PLUGIN_CONTRACT' })
        expect(error!.message).toContain("reporter plugin 'acme/reporter' broke its contract in onEvent('cell:end')")
        expect(error!.message).toContain('got it threw Error: disk full')
        const journal = journalOf(onlyRunDir(p.dir))
        expect(journal.filter((r) => r.type === 'cell').map((r) => r.cellId)).toEqual(['base-n1-t1-s1'])
      }
    })

    it('an onRunEnd that throws fails the run after every cell is journaled and the other reporters ran', async () => {
      const p = tempProject('bonbench-contract-')
      projects.push(p)
      const ended: string[] = []
      const bad: ReporterPlugin = {
        name: 'acme/reporter',
        kind: 'reporter',
        meta,
        onRunEnd: () => {
          throw new Error('no space')
        },
      }
      const good: ReporterPlugin = { name: 'acme/good', kind: 'reporter', meta, onRunEnd: (ctx) => void ended.push(ctx.runDir) }
      const error = await runMatrix({ ...toyRunSetup(p.dir), reporters: [bad, good] }).then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      )
      expect(error).toMatchObject({
        code: 'BENCH_PLUGIN_CONTRACT',
        message: expect.stringContaining("reporter plugin 'acme/reporter' broke its contract in onRunEnd(): expected the hook to return without throwing"),
      })
      expect(ended).toEqual([onlyRunDir(p.dir)])
      expect(journalOf(onlyRunDir(p.dir)).filter((r) => r.type === 'cell')).toHaveLength(1)
    })
  })
})
