import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BenchError } from '../../../core/errors.js'
import { defineStrategy } from '../../../core/plugin-api/define-plugin.js'
import type { StrategyPlugin } from '../../../core/plugin-api/strategy.js'
import type { RunEvent } from '../../../core/events.js'
import { validatePlugin } from '../../../core/registry/validate-plugin.js'
import { estimatePlan } from '../../../core/run/estimate-plan.js'
import { nTrainWarnings, planCells } from '../../../core/run/planner.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { bareName } from '../../../core/plugin-name.js'
import { checkStrategyContract } from '../../../core/testing/index.js'
import { builtins } from '../../helpers/builtin-factories.js'
import { journalOf, tempProject, toyRunSetup } from '../../helpers/toy-run.js'
import { bench } from '../../e2e/cli-helper.js'

// A third-party strategy gets the matrix's N′ axis (matrix.nTrain, --n-train) by declaring
// usesNTrain: true, whatever its name; before, the planner decided from the name alone (starts
// with 'bon', or vbon/bond/pass-at-k), so 'my-lab/best-of-subset' trained at N′ = 1 silently.

const projects: Array<{ cleanup(): void }> = []
afterAll(() => projects.forEach((p) => p.cleanup()))

/** The README's example rule (credits the R-best sample of each N′-subset), written with the kit; `seen` collects the nTrain weights() gets. */
function bestOfSubset(name: string, usesNTrain: boolean | undefined, seen: number[] = []): StrategyPlugin {
  return defineStrategy({
    name,
    meta: { version: '1.0.0' },
    create: () => ({
      selection: 'reward' as const,
      ...(usesNTrain === undefined ? {} : { usesNTrain }),
      needs: ({ nTrain }: { nTrain: number }) => ({ policySamples: 2 * nTrain }),
      weights(group, { nTrain }) {
        seen.push(nTrain)
        const weights = group.policy.map(() => 0)
        for (let start = 0; start + nTrain <= group.policy.length; start += nTrain) {
          let best = start
          for (let i = start; i < start + nTrain; i++) if (group.policy[i]!.reward > group.policy[best]!.reward) best = i
          weights[best]! += group.policy[best]!.reward
        }
        return { sequences: group.policy.map((s, i) => ({ prompt: group.problem.prompt, completion: s.completion, weight: weights[i]! })) }
      },
    }),
  })()
}

/** A real toy × tabular run with the strategy and `nTrain`: its trained cell ids, the N′ its weights() saw, and its warnings. */
async function runWith(strategy: StrategyPlugin, seen: number[], nTrain: number[]) {
  const p = tempProject('bonbench-ntrain-')
  projects.push(p)
  const setup = toyRunSetup(p.dir, { plugins: [strategy], config: { matrix: { strategies: [strategy.name], nTrain }, eval: { testPrompts: 2 } } })
  const warnings: string[] = []
  const listener = (e: RunEvent) => void (e.type === 'log' && e.level === 'warn' && warnings.push(e.message))
  const outcome = await runMatrix({ ...setup, listeners: [listener] })
  const cells = journalOf(outcome.runDir)
    .filter((r) => r.type === 'cell' && !r.cellId.startsWith('base-'))
    .map((r) => (r as { cellId: string }).cellId)
  return { cells, seen: [...new Set(seen)].sort((a, b) => a - b), warnings }
}

describe('a strategy declares whether the N′ axis applies to it (usesNTrain)', () => {
  it('a third-party strategy declaring usesNTrain: true trains at every N′ of matrix.nTrain, whatever its name (the finding: it trained at N′ = 1)', async () => {
    const seen: number[] = []
    const run = await runWith(bestOfSubset('my-lab/best-of-subset', true, seen), seen, [2, 4])
    expect(run.cells).toEqual(['best-of-subset-n2-t1-s1', 'best-of-subset-n4-t1-s1'])
    expect(run.seen).toEqual([2, 4])
    expect(run.warnings.filter((w) => w.includes('usesNTrain'))).toEqual([])
  })

  it('one that does not declare it trains at N′ = 1, bon-named or not, and the run says so at its start naming the strategy and the fix', async () => {
    for (const name of ['my-lab/best-of-subset', 'my-lab/bon-subset']) {
      const seen: number[] = []
      const run = await runWith(bestOfSubset(name, undefined, seen), seen, [2, 4])
      expect(run.cells).toEqual([`${bareName(name)}-n1-t1-s1`])
      expect(run.seen).toEqual([1])
      expect(run.warnings).toEqual([expect.stringMatching(new RegExp(`'${name}' trains at N′ = 1 only.*matrix\\.nTrain \\(2, 4\\).*usesNTrain: true`))])
    }
  })

  it('the dry run plans the same cells and carries the same warning', async () => {
    const p = tempProject('bonbench-ntrain-dry-')
    projects.push(p)
    for (const [usesNTrain, cells, warnings] of [
      [true, ['best-of-subset-n4-t1-s1', 'best-of-subset-n8-t1-s1'], 0],
      [undefined, ['best-of-subset-n1-t1-s1'], 1],
      [false, ['best-of-subset-n1-t1-s1'], 0],
    ] as const) {
      const strategy = bestOfSubset('my-lab/best-of-subset', usesNTrain)
      const setup = toyRunSetup(p.dir, { plugins: [strategy], config: { matrix: { strategies: [strategy.name], nTrain: [4, 8] } } })
      const plan = await estimatePlan(setup.config, setup.registry)
      expect(plan.cells.filter((c) => c.key.strategy !== 'base').map((c) => c.cellId)).toEqual(cells)
      expect(plan.warnings, String(usesNTrain)).toHaveLength(warnings)
    }
  })

  it('bench run --n-train 4,8 --dry-run prints the N′ cells of a declaring strategy, and a warning line for one that does not declare', async () => {
    const p = tempProject('bonbench-ntrain-cli-')
    projects.push(p)
    const source = (name: string, declare: string) => `export default {
  name: '${name}', kind: 'strategy', meta: { version: '1.0.0' }, selection: 'reward',${declare}
  needs: ({ nTrain }) => ({ policySamples: 2 * nTrain }),
  weights: (group) => ({ sequences: group.policy.map((s) => ({ prompt: group.problem.prompt, completion: s.completion, weight: 0 })) }),
}
`
    writeFileSync(join(p.dir, 'declared.mjs'), source('my-lab/best-of-subset', ' usesNTrain: true,'))
    writeFileSync(join(p.dir, 'silent.mjs'), source('my-lab/filtered', ''))
    writeFileSync(
      join(p.dir, 'bench.config.json'),
      JSON.stringify({
        plugins: ['./declared.mjs', './silent.mjs'],
        matrix: { task: 'toy', model: 'tabular', strategies: ['my-lab/best-of-subset', 'my-lab/filtered'] },
      }),
    )
    const result = await bench(['run', '--n-train', '4,8', '--dry-run'], { cwd: p.dir, timeout: 120_000 })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/best-of-subset-n4-t1-s0 .*N'=4/)
    expect(result.stdout).toMatch(/best-of-subset-n8-t1-s0 .*N'=8/)
    expect(result.stdout).toMatch(/filtered-n1-t1-s0 .*N'=1/)
    expect(result.stdout).not.toMatch(/filtered-n4/)
    expect(result.stdout).toMatch(/^warning: strategy 'my-lab\/filtered' trains at N′ = 1 only: .*matrix\.nTrain \(4, 8\).*declare usesNTrain: true/m)
    expect(result.stdout).not.toMatch(/warning: .*best-of-subset/)
  }, 120_000)

  it('keeps the cells of every built-in: the ones the old name rule gave N′ declare usesNTrain: true, sft and rl false', () => {
    const strategies = Object.keys(builtins).filter((short) => builtins[short]!().kind === 'strategy')
    const oldNameRule = (short: string) => short.startsWith('bon') || ['vbon', 'bond', 'pass-at-k'].includes(short)
    expect(strategies).toHaveLength(11)
    for (const short of strategies) expect((builtins[short]!() as StrategyPlugin).usesNTrain, short).toBe(oldNameRule(short))
    const config = { task: 'toy', model: 'tabular', strategies, nTrain: [2, 4], temperatures: [1], seeds: [0] }
    const ids = planCells(config, new Map(strategies.map((s) => [s, builtins[s]!() as StrategyPlugin]))).map((c) => c.cellId)
    expect(ids).toEqual(['base-n1-t1-s0', ...strategies.flatMap((s) => (oldNameRule(s) ? [`${s}-n2-t1-s0`, `${s}-n4-t1-s0`] : [`${s}-n1-t1-s0`]))])
  })

  it('warns for an arm giving its own nTrain to a strategy that declares usesNTrain: false, not for matrix.nTrain, nor at N′ = 1', () => {
    const strategies = new Map<string, StrategyPlugin>([
      ['rl', builtins.rl!() as StrategyPlugin],
      ['rl-wide', builtins.rl!() as StrategyPlugin],
      ['quiet', bestOfSubset('my-lab/quiet', undefined)],
    ])
    const arms = { 'rl-wide': { strategy: 'rl', nTrain: [4, 8] } }
    expect(nTrainWarnings({ strategies: ['rl', 'rl-wide'], nTrain: [4], arms }, strategies)).toEqual([
      expect.stringMatching(/^'rl-wide' \(strategy 'bonbench:rl'\) declares usesNTrain: false.*matrix\.arms\.rl-wide\.nTrain \(4, 8\)/),
    ])
    expect(nTrainWarnings({ strategies: ['rl', 'quiet'], nTrain: [1] }, strategies)).toEqual([])
  })

  it('the loader refuses a usesNTrain that is not a boolean (BENCH_PLUGIN_INVALID naming the field and the fix); the kit keeps a boolean', () => {
    const plugin = bestOfSubset('my-lab/best-of-subset', true)
    expect(plugin.usesNTrain).toBe(true)
    expect(validatePlugin(plugin, 'a test')).toBe(plugin)
    for (const bad of ['yes', 1, null]) {
      let error: unknown
      try {
        validatePlugin({ ...plugin, usesNTrain: bad }, 'a test')
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(BenchError)
      expect((error as BenchError).code).toBe('BENCH_PLUGIN_INVALID')
      expect((error as BenchError).message).toMatch(/'my-lab\/best-of-subset'.*'usesNTrain' is .*not a boolean.*usesNTrain: true/)
    }
  })

  it('the strategy contract tester flags an undeclared strategy whose needs or weights depend on N′ (uses-n-train), not a declared one', async () => {
    const flagged = (await checkStrategyContract(bestOfSubset('my-lab/best-of-subset', undefined))).problems.filter((p) => p.check === 'uses-n-train')
    expect(flagged).toEqual([expect.objectContaining({ message: expect.stringMatching(/its needs .*depend on N′.*declare usesNTrain: true/) })])
    for (const declared of [true, false]) {
      const report = await checkStrategyContract(bestOfSubset('my-lab/best-of-subset', declared))
      expect(report.problems).toEqual([])
      expect(report.passed).toContain('uses-n-train')
    }
  })
})
