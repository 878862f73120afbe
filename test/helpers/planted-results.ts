import { emptyProvenance } from '../../core/testing/sample-events.js'
import { createRng, deriveSeed } from '../../core/rng.js'
import { groupIdOf } from '../../reports/groups.js'
import type { Results } from '../../reports/results-schema.js'
import { RESULTS_VERSION } from '../../reports/results-schema.js'

/** The per-prompt truth of one arm: metric values before seed noise, for prompt p at N. */
export interface PlantedArm {
  strategy: string
  nTrain?: number
  /** Change of pass@N over the base, per prompt (hard: the base's pass@1 is below the median) and N. */
  pass?: (n: number, hard: boolean) => number
  /** Change of Bo-N over the base. */
  bon?: (n: number, hard: boolean) => number
  /** Change of distinct@N over the base. */
  distinct?: number
}

/** A results.json with effects planted exactly, per prompt, on top of a base that follows the co-scaling law. */
export interface PlantedSpec {
  arms: PlantedArm[]
  temperatures?: number[]
  seeds?: number[]
  prompts?: number
  grid?: number[]
  /** Standard deviation of the independent noise on every (cell, prompt, N) value. */
  noise?: number
  /** Resamples written to settings.bootstrap (the findings raise them for Holm). */
  bootstrap?: number
  /** Leave out per-prompt distinct@N (results files from before the field). */
  withoutPromptDistinct?: boolean
  seed?: number
}

/** The base model's law pass@N = exp(a·N^b) per temperature: T = 0.7 wins at small N, T = 1 at large N. */
export const plantedLaw: Record<string, { a: number; b: number }> = { '0.7': { a: -0.5, b: -0.3 }, '1': { a: -0.8, b: -0.5 } }

function lawAt(t: number, n: number): number {
  const law = plantedLaw[String(t)] ?? plantedLaw['1']!
  return Math.exp(law.a * n ** law.b)
}

function normal(rng: { next(): number }): number {
  const u = Math.max(rng.next(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

/**
 * Builds a schema-valid results.json in memory. Prompt p's base pass@N is law(N) + d_p·(1 − law(N))
 * with d_p in ±0.35 summing to zero over prompts (so the prompt mean follows the law exactly);
 * Bo-N is 0.6·pass@N + 0.4·pass@1; distinct@N is 1 + 2·(1 − pass@1)·log₂(N)/5. Each arm adds its
 * planted change, then every value gets independent N(0, noise) seed noise. Deterministic.
 */
export function plantedResults(spec: PlantedSpec): Results {
  const temperatures = spec.temperatures ?? [0.7, 1]
  const seeds = spec.seeds ?? [0, 1]
  const P = spec.prompts ?? 40
  const grid = spec.grid ?? [1, 2, 4, 8, 16, 32]
  const noise = spec.noise ?? 0.01
  const half = Math.floor(P / 2)
  const d = Array.from({ length: P }, (_, p) => (p < half ? -1 : 1) * 0.35 * (((p % half) + 1) / half))
  if (P % 2 === 1) d[P - 1] = 0
  const hard = d.map((x) => x < 0)
  const arms: PlantedArm[] = [{ strategy: 'base' }, ...spec.arms]
  const cells: Results['cells'] = []
  const groups: Results['groups'] = []
  for (const arm of arms) {
    for (const t of temperatures) {
      const key = { task: 'math', model: 'tiny-transformer', strategy: arm.strategy, nTrain: arm.nTrain ?? 1, temperature: t }
      const groupId = groupIdOf(key)
      const cellIds: string[] = []
      const means = { pass: grid.map(() => 0), bon: grid.map(() => 0) }
      for (const seed of seeds) {
        const cellId = `${arm.strategy}-n${key.nTrain}-t${t}-s${seed}`
        cellIds.push(cellId)
        const rng = createRng(deriveSeed(spec.seed ?? 0, cellId))
        const prompts = d.map((dp, p) => {
          const base1 = lawAt(t, 1) + dp * (1 - lawAt(t, 1))
          const passAtN = grid.map((n) => clamp(lawAt(t, n) + dp * (1 - lawAt(t, n)) + (arm.pass?.(n, hard[p]!) ?? 0) + noise * normal(rng), 0, 1))
          const bestOfN = grid.map((n, i) =>
            clamp(0.6 * (lawAt(t, n) + dp * (1 - lawAt(t, n))) + 0.4 * base1 + (arm.bon?.(n, hard[p]!) ?? 0) + noise * normal(rng), 0, passAtN[i]!),
          )
          const distinctAtN = grid.map((n) => Math.max(1, 1 + 2 * (1 - base1) * (Math.log2(n) / 5) + (n > 1 ? (arm.distinct ?? 0) : 0) + noise * normal(rng)))
          const pass1 = passAtN[grid.indexOf(1)] ?? base1
          return {
            promptId: `math-${String(p).padStart(3, '0')}`,
            passAtN,
            bestOfN,
            majorityAtN: bestOfN,
            pFail: 1 - pass1,
            ...(spec.withoutPromptDistinct ? {} : { distinctAtN }),
          }
        })
        const mean = (pick: (x: (typeof prompts)[number]) => number) => prompts.reduce((s, x) => s + pick(x), 0) / P
        const passAtN = grid.map((_, i) => mean((x) => x.passAtN[i]!))
        const bestOfN = grid.map((_, i) => mean((x) => x.bestOfN[i]!))
        grid.forEach((_, i) => ((means.pass[i]! += passAtN[i]! / seeds.length), (means.bon[i]! += bestOfN[i]! / seeds.length)))
        const ci = (v: number): [number, number] => [v - 0.02, v + 0.02]
        cells.push({
          cellId,
          groupId,
          key: { ...key, seed },
          metrics: {
            grid,
            passAtN,
            bestOfN,
            majorityAtN: bestOfN,
            majorityStdErr: grid.map(() => 0),
            distinctAtN: grid.map((_, i) => mean((x) => (x.distinctAtN ?? [])[i] ?? 1 + i)),
            pass1: passAtN[0]!,
            meanReward: passAtN[0]!,
            ci: { passAtN: passAtN.map(ci), bestOfN: bestOfN.map(ci), majorityAtN: bestOfN.map(ci) },
            threshold: 1,
          },
          prompts,
          compute: { samplesDrawn: 64 * P, tokensGenerated: 1000, tokensTrained: 500, wallMs: 1000 },
          trainingSteps: arm.strategy === 'base' ? 0 : 10,
        })
      }
      const est = (v: number) => ({ value: v, ci: [v - 0.02, v + 0.02] as [number, number] })
      groups.push({
        groupId,
        label: groupId,
        key,
        seeds,
        cellIds,
        prompts: P,
        grid,
        pass1: est(means.pass[0]!),
        passAtN: means.pass.map(est),
        bestOfN: means.bon.map(est),
        majorityAtN: means.bon.map(est),
      })
    }
  }
  return {
    schema: 'bonbench/results',
    version: RESULTS_VERSION,
    generatedAt: '2026-11-25T12:00:00.000Z',
    run: { runId: 'planted', createdAt: '2026-11-25T11:00:00.000Z', plannedCells: cells.length },
    provenance: emptyProvenance({
      node: 'v20.0.0',
      platform: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Planted CPU' },
      argv: ['run', 'math', '--preset', 'study'],
      config: { matrix: { nGrid: grid, temperatures, seeds, poolSize: 64 }, eval: { testPrompts: P } },
      seeds: { matrix: seeds, task: 1234 },
    }),
    settings: { level: 0.95, alpha: 0.05, bootstrap: spec.bootstrap ?? 400, threshold: 1 },
    cells,
    groups,
    comparisons: [],
    coScaling: { fits: [], bestTemperature: [] },
    charts: [],
    prepare: { 'reward-model': { auc: 0.8 } },
    errors: [],
    warnings: [],
  }
}
