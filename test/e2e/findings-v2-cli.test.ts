import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { plantedFrontierResults } from '../helpers/planted-frontier.js'
import { plantedResults } from '../helpers/planted-results.js'
import { benchInProcess } from './cli-help.js'
import { tempDir } from './cli-helper.js'

const tmp = tempDir('bonbench-findings-v2-')
afterAll(() => tmp.cleanup())

const sat = (k: number) => 0.05 * (1 - Math.exp(-k / 0.1))

describe('bench findings, study v2', () => {
  it('picks v2 for results with KL frontiers, --study forces either, --plan prints the power plan', async () => {
    // A version-3 file (no learning-rate axis, no validation): matched KL only.
    const results = plantedFrontierResults({
      prompts: 30,
      lrs: [3e-4],
      withLr: false,
      withValidation: false,
      arms: [
        { strategy: 'rl', speed: 0.07, pass: sat, bon: sat },
        { strategy: 'bon-rl-v', nTrain: 4, speed: 0.15, pass: (k, n) => sat(k) + (n > 1 ? k / 2 : 0), bon: (k, n) => sat(k) + (n > 1 ? k / 2 : 0) },
      ],
    })
    await writeFile(join(tmp.dir, 'v2.json'), JSON.stringify(results))
    const v2 = await benchInProcess(['findings', 'v2.json', '--out', 'docs/results.md'], { cwd: tmp.dir })
    expect(v2.stderr).toBe('')
    expect(v2.exitCode).toBe(0)
    expect(v2.stdout).toMatch(/^P2 holds: BoN-aware training wins on its own metric$/m)
    const doc = await readFile(join(tmp.dir, 'docs/results.md'), 'utf8')
    expect(doc).toMatch(/^# Findings v2: /)
    expect(doc).toContain('Regenerate with `npx bench findings v2.json --out docs/results.md`')
    expect(doc).toContain('Not made. The results carry no validation metrics')
    const v1 = await benchInProcess(['findings', 'v2.json', '--study', 'v1'], { cwd: tmp.dir })
    expect(v1.exitCode).toBe(0)
    expect(v1.stdout).toMatch(/^# Findings: the paper’s predictions at small scale/)
    const bad = await benchInProcess(['findings', 'v2.json', '--study', 'v3'], { cwd: tmp.dir })
    expect(bad.exitCode).not.toBe(0)
    expect(bad.stderr).toContain("--study: unknown value 'v3'; use one of v1, v2")

    // A v1 pilot: the plan lists each planned comparison with its MDE at the candidates.
    await writeFile(
      join(tmp.dir, 'pilot.json'),
      JSON.stringify(plantedResults({ prompts: 20, arms: [{ strategy: 'rl' }, { strategy: 'bon-rl-s', nTrain: 4, pass: () => 0.05 }] })),
    )
    const plan = await benchInProcess(['findings', 'pilot.json', '--plan', '--plan-seeds', '2,4', '--plan-prompts', '100,400'], { cwd: tmp.dir })
    expect(plan.exitCode).toBe(0)
    expect(plan.stdout).toMatch(/^# Power plan from the pilot `pilot.json`/)
    expect(plan.stdout).toContain('MDE 4×400')
    expect(plan.stdout).toMatch(/bon-rl-s \(N′=4\) − base, pass@4, T=1: .*(cheapest candidate|no candidate reaches)/)
  }, 180_000)
  it('--control adds the oracle control and repeats it in the regenerate line; with --plan or v1 findings it is a usage error', async () => {
    const bon = (g: number) => (k: number, n: number) => sat(k) + (n > 1 ? g * k : 0)
    const planted = plantedFrontierResults({ prompts: 30, arms: [{ strategy: 'bon-rl-v', nTrain: 4, speed: 0.15, pass: bon(0.5), bon: bon(0.5) }] })
    const main = { ...planted, provenance: { ...planted.provenance, judges: { reward: 'math-answer', selector: 'reward-model' } } }
    const oracle = plantedFrontierResults({
      prompts: 30,
      seed: 7,
      arms: [{ strategy: 'bon-rl-v', arm: 'bon-rl-v-oracle', nTrain: 4, speed: 0.15, pass: bon(0.5), bon: bon(0.5) }],
    })
    // The oracle control: another run, selected by its reward verifier.
    const control = {
      ...oracle,
      run: { ...oracle.run, runId: 'planted-v2-oracle' },
      provenance: { ...oracle.provenance, judges: { reward: 'math-answer', selector: 'math-answer' } },
    }
    await writeFile(join(tmp.dir, 'main.json'), JSON.stringify(main))
    await writeFile(join(tmp.dir, 'oracle.json'), JSON.stringify(control))
    const ran = await benchInProcess(['findings', 'main.json', '--control', 'oracle.json', '--out', 'docs/results.md'], { cwd: tmp.dir })
    expect(ran.exitCode, ran.stderr).toBe(0)
    const doc = await readFile(join(tmp.dir, 'docs/results.md'), 'utf8')
    expect(doc).toContain('Regenerate with `npx bench findings main.json --out docs/results.md --control oracle.json`')
    expect(doc).toContain('## The oracle control')
    expect(doc).toMatch(/^\| oracle \(`[^`]+`\) \| .* \| Bo-4 \|/m)
    const withPlan = await benchInProcess(['findings', 'main.json', '--control', 'oracle.json', '--plan'], { cwd: tmp.dir })
    expect(withPlan.exitCode).toBe(2)
    expect(withPlan.stderr).toContain('it does not apply to --plan')
    const withV1 = await benchInProcess(['findings', 'main.json', '--control', 'oracle.json', '--study', 'v1'], { cwd: tmp.dir })
    expect(withV1.exitCode).toBe(2)
    expect(withV1.stderr).toContain('--control needs the study v2 findings')
    // A run that is not the oracle control of this one: the main run itself.
    const itself = await benchInProcess(['findings', 'main.json', '--control', 'main.json'], { cwd: tmp.dir })
    expect(itself.exitCode).toBe(2)
    expect(itself.stderr).toContain('it is the main run itself')
  }, 180_000)
})
