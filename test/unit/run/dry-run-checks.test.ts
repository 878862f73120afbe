import { describe, expect, it } from 'vitest'
import { checkRunNeeds, runNeedsProblems } from '../../../core/run/dry-run-checks.js'
import type { PlannedCell } from '../../../core/run/planner.js'
import type { RunPlugins } from '../../../core/run/run-plugins.js'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import type { TaskData } from '../../../core/plugin-api/task.js'
import { tabular } from '../../../plugins/models/tabular/index.js'
import { bonSft } from '../../../plugins/strategies/bon-sft.js'
import { rl } from '../../../plugins/strategies/rl.js'
import { sft } from '../../../plugins/strategies/sft.js'

const cell = (strategy: string, nTrain = 1): PlannedCell =>
  ({ cellId: `${strategy}-n${nTrain}-t1-s0`, key: { strategy, nTrain, temperature: 1, seed: 0 } }) as PlannedCell
const plugins = {
  task: { name: 'local/task' },
  // A model that trains: strategies can fine-tune it (test/unit/run/untrainable-model.test.ts: one that cannot).
  model: tabular({}),
  strategies: new Map<string, StrategyPlugin>([
    ['sft', sft({})],
    ['rl', rl({})],
    ['bon-sft', bonSft({})],
  ]),
} as unknown as RunPlugins
const withExperts: TaskData = { train: [{ id: 'a', prompt: 'p', expert: 'x' }], test: [{ id: 'b', prompt: 'q' }] }
const withoutExperts: TaskData = {
  train: [
    { id: 'a', prompt: 'p' },
    { id: 'c', prompt: 'r', expert: 'x' },
  ],
  test: [{ id: 'b', prompt: 'q' }],
}

describe('runNeedsProblems (bench run --dry-run)', () => {
  it('accepts strategies whose needs the task meets', () => {
    expect(runNeedsProblems(plugins, withExperts, [cell('base'), cell('sft'), cell('rl'), cell('bon-sft', 4)])).toEqual([])
    expect(runNeedsProblems(plugins, withoutExperts, [cell('base'), cell('rl')])).toEqual([])
  })

  it('refuses a task without test problems as the run does (an empty data file passed the dry run), naming its data file', () => {
    const empty: TaskData = { train: [], test: [], files: [{ path: '/data/empty.jsonl', sha256: 'e'.repeat(64) }] }
    expect(runNeedsProblems(plugins, empty, [cell('base')])).toEqual([
      "task 'local/task' has no test problems to evaluate (its data: /data/empty.jsonl). Fix: give a data file (--data) that holds the task's test split, or use another task.",
    ])
  })

  it('names each cell whose strategy needs expert solutions the task lacks, with the fix', () => {
    const problems = runNeedsProblems(plugins, withoutExperts, [cell('base'), cell('sft'), cell('rl'), cell('bon-sft', 4)])
    expect(problems).toHaveLength(2)
    expect(problems[0]).toContain("cell sft-n1-t1-s0: strategy 'bonbench:sft' needs an expert solution")
    expect(problems[0]).toContain("1 of the 2 training problems of task 'local/task' have none")
    expect(problems[1]).toContain('cell bon-sft-n4-t1-s0')
    expect(() => checkRunNeeds(plugins, withoutExperts, [cell('sft')])).toThrow(expect.objectContaining({ code: 'BENCH_RUN_INVALID' }))
  })

  it('refuses training on a task without a training split', () => {
    const [problem] = runNeedsProblems(plugins, { train: [], test: withExperts.test }, [cell('base'), cell('rl')])
    expect(problem).toContain("task 'local/task' has no training problems")
    expect(runNeedsProblems(plugins, { train: [], test: withExperts.test }, [cell('base')])).toEqual([])
  })
})
