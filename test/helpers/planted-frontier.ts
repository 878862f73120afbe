import { emptyProvenance } from '../../core/testing/sample-events.js'
import { createRng, deriveSeed } from '../../core/rng.js'
import { groupIdOf } from '../../reports/groups.js'
import type { Results } from '../../reports/results-schema.js'
import { RESULTS_VERSION } from '../../reports/results-schema.js'

/**
 * A study-v2 results.json with planted frontiers: every trained arm moves away from the base at its
 * own speed in KL (per token, proportional to steps × lr), and its metrics are planted as functions
 * of the KL it has reached — so effects at matched KL are known exactly, whatever the speeds.
 */
export interface PlantedFrontierArm {
  /** Strategy plugin name (e.g. 'bon-rl-v'). */
  strategy: string
  /** Named arm (study v2), e.g. 'rl-on-r': the cell key's strategy, with `strategy` its plugin in provenance.strategies. */
  arm?: string
  nTrain?: number
  /** KL per token reached after `steps` at lr 1e-4 (scales linearly with lr). */
  speed: number
  /** Change of pass@N over the base at KL κ (hard: the prompt is below the median for the base). */
  pass?: (kl: number, n: number, hard: boolean) => number
  /** Change of Bo-N over the base at KL κ. */
  bon?: (kl: number, n: number, hard: boolean) => number
}

export interface PlantedFrontierSpec {
  arms: PlantedFrontierArm[]
  /** Learning rates of every trained arm. Default [1e-4, 3e-4]. */
  lrs?: number[]
  /** Write `learningRate` into cell keys (study v2). Default true; false needs a single lr. */
  withLr?: boolean
  /** Write validation metrics on cells and checkpoints. Default true. */
  withValidation?: boolean
  seeds?: number[]
  prompts?: number
  validationPrompts?: number
  grid?: number[]
  steps?: number
  evalEvery?: number
  noise?: number
  bootstrap?: number
  seed?: number
}

const law = { a: -0.8, b: -0.5 }
const lawAt = (n: number) => Math.exp(law.a * n ** law.b)
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))

function normal(rng: { next(): number }): number {
  const u = Math.max(rng.next(), 1e-12)
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next())
}

type Row = Results['cells'][number]['prompts'][number]

function rows(prefix: string, P: number, grid: number[], arm: PlantedFrontierArm | undefined, kl: number, noise: number, rng: { next(): number }): Row[] {
  const half = Math.floor(P / 2)
  return Array.from({ length: P }, (_, p) => {
    const d = (p < half ? -1 : 1) * 0.35 * (((p % half) + 1) / half)
    const hard = d < 0
    const base1 = lawAt(1) + d * (1 - lawAt(1))
    const passAtN = grid.map((n) => clamp(lawAt(n) + d * (1 - lawAt(n)) + (arm?.pass?.(kl, n, hard) ?? 0) + noise * normal(rng), 0, 1))
    const bestOfN = grid.map((n, i) =>
      clamp(0.6 * (lawAt(n) + d * (1 - lawAt(n))) + 0.4 * base1 + (arm?.bon?.(kl, n, hard) ?? 0) + noise * normal(rng), 0, passAtN[i]!),
    )
    const distinctAtN = grid.map((n) => Math.max(1, 1 + 2 * (1 - base1) * (Math.log2(n) / 5) + noise * normal(rng)))
    return { promptId: `${prefix}-${String(p).padStart(3, '0')}`, passAtN, bestOfN, majorityAtN: bestOfN, pFail: 1 - passAtN[0]!, distinctAtN }
  })
}

function metricsOf(prompts: Row[], grid: number[]): Results['cells'][number]['metrics'] {
  const mean = (pick: (r: Row) => number) => prompts.reduce((s, r) => s + pick(r), 0) / prompts.length
  const passAtN = grid.map((_, i) => mean((r) => r.passAtN[i]!))
  const bestOfN = grid.map((_, i) => mean((r) => r.bestOfN[i]!))
  const ci = (v: number): [number, number] => [v - 0.02, v + 0.02]
  return {
    grid,
    passAtN,
    bestOfN,
    majorityAtN: bestOfN,
    majorityStdErr: grid.map(() => 0),
    distinctAtN: grid.map((_, i) => mean((r) => r.distinctAtN![i]!)),
    pass1: passAtN[0]!,
    meanReward: passAtN[0]!,
    ci: { passAtN: passAtN.map(ci), bestOfN: bestOfN.map(ci), majorityAtN: bestOfN.map(ci) },
    threshold: 1,
  }
}

function klOf(prompts: Row[], kl: number): NonNullable<Results['cells'][number]['kl']> {
  return {
    state: 'measured',
    perToken: kl,
    ci: [kl * 0.9, kl * 1.1],
    perSequence: kl * 10,
    perSequenceCi: [kl * 9, kl * 11],
    meanTokens: 10,
    samples: prompts.length * 8,
    source: 'pool',
    prompts: prompts.map((p) => ({ promptId: p.promptId, perToken: kl, perSequence: kl * 10, tokens: 80, samples: 8 })),
  }
}

/**
 * Builds the results in memory (base at T = 0.7 and 1, trained arms at T = 1). With `withLr` or
 * `withValidation` the cells carry study-v2 fields the version-3 schema does not know (cast).
 * Deterministic.
 */
export function plantedFrontierResults(spec: PlantedFrontierSpec): Results {
  const seeds = spec.seeds ?? [0, 1, 2]
  const P = spec.prompts ?? 60
  const V = spec.validationPrompts ?? 40
  const grid = spec.grid ?? [1, 2, 4, 8, 16]
  const steps = spec.steps ?? 100
  const every = spec.evalEvery ?? 25
  const noise = spec.noise ?? 0.02
  const lrs = spec.lrs ?? [1e-4, 3e-4]
  const withLr = spec.withLr ?? true
  const withValidation = spec.withValidation ?? true
  const cells: Results['cells'] = []
  const groups: Results['groups'] = []
  const est = (v: number) => ({ value: v, ci: [v - 0.02, v + 0.02] as [number, number] })
  const addGroup = (key: Results['groups'][number]['key'], groupId: string, members: Results['cells'], label: string) => {
    const mean = (pick: (c: Results['cells'][number]) => number[]) => grid.map((_, i) => members.reduce((s, c) => s + pick(c)[i]!, 0) / members.length)
    const pass = mean((c) => c.metrics.passAtN)
    const bon = mean((c) => c.metrics.bestOfN)
    // The seed-pooled frontier as results.json has it (CIs are placeholders): each checkpoint step, then the final model.
    const stages = (c: Results['cells'][number]) => [
      ...(c.checkpoints ?? []).map((cp) => ({ step: cp.step, metrics: cp.metrics, kl: cp.kl })),
      { step: c.trainingSteps, metrics: c.metrics, kl: c.kl! },
    ]
    const frontier = stages(members[0]!).map((_, i) => {
      const at = members.map((c) => stages(c)[i]!)
      const avg = (pick: (x: (typeof at)[number]) => number) => at.reduce((s, x) => s + pick(x), 0) / at.length
      return {
        step: at[0]!.step,
        kl: ((v: number) => ({ value: v, ci: [0.9 * v, 1.1 * v] as [number, number] }))(avg((x) => (x.kl.state === 'measured' ? x.kl.perToken : 0))),
        pass1: est(avg((x) => x.metrics.pass1)),
        passAtN: grid.map((_, j) => est(avg((x) => x.metrics.passAtN[j]!))),
        bestOfN: grid.map((_, j) => est(avg((x) => x.metrics.bestOfN[j]!))),
      }
    })
    groups.push({
      groupId,
      label,
      key,
      seeds,
      cellIds: members.map((c) => c.cellId),
      prompts: P,
      grid,
      pass1: est(pass[0]!),
      passAtN: pass.map(est),
      bestOfN: bon.map(est),
      majorityAtN: bon.map(est),
      frontier,
    })
  }
  for (const t of [0.7, 1]) {
    const key = { task: 'math', model: 'tiny-transformer', strategy: 'base', nTrain: 1, temperature: t }
    const groupId = groupIdOf(key)
    const members = seeds.map((seed) => {
      const rng = createRng(deriveSeed(spec.seed ?? 0, 'base', t, seed))
      const prompts = rows('math', P, grid, undefined, 0, noise, rng)
      const validation = rows('val', V, grid, undefined, 0, noise, rng)
      return {
        cellId: `base-t${t}-s${seed}`,
        groupId,
        key: { ...key, seed },
        metrics: metricsOf(prompts, grid),
        prompts,
        compute: { samplesDrawn: 1, tokensGenerated: 1, tokensTrained: 0, wallMs: 1 },
        trainingSteps: 0,
        kl: klOf(prompts, 0),
        ...(withValidation ? { validation: { metrics: metricsOf(validation, grid), prompts: validation } } : {}),
      } as Results['cells'][number]
    })
    cells.push(...members)
    addGroup(key, groupId, members, `base T=${t}`)
  }
  for (const arm of spec.arms) {
    for (const lr of lrs) {
      const name = arm.arm ?? arm.strategy
      // A named arm as study v2 writes it: its name is the key's strategy; provenance.strategies names its plugin.
      const key = { task: 'math', model: 'tiny-transformer', strategy: name, nTrain: arm.nTrain ?? 1, temperature: 1, ...(withLr ? { learningRate: lr } : {}) }
      const groupId = `${groupIdOf(key)}${withLr ? `/lr${lr}` : ''}`
      const members = seeds.map((seed) => {
        const rng = createRng(deriveSeed(spec.seed ?? 0, name, lr, seed))
        const klAt = (step: number) => arm.speed * (lr / 1e-4) * (step / steps) * (1 + 0.05 * (seed - 1))
        const stage = (step: number) => {
          const kl = klAt(step)
          const prompts = rows('math', P, grid, arm, kl, noise, rng)
          const validation = rows('val', V, grid, arm, kl, noise, rng)
          return { kl, prompts, validation }
        }
        const checkpoints = []
        for (let s = every; s < steps; s += every) {
          const st = stage(s)
          checkpoints.push({
            step: s,
            metrics: metricsOf(st.prompts, grid),
            prompts: st.prompts,
            kl: klOf(st.prompts, st.kl),
            compute: { samplesDrawn: 1, tokensGenerated: 1, wallMs: 1 },
            ...(withValidation ? { validation: { metrics: metricsOf(st.validation, grid), prompts: st.validation } } : {}),
          })
        }
        const fin = stage(steps)
        return {
          cellId: `${name}-lr${lr}-s${seed}`,
          groupId,
          key: { ...key, seed },
          metrics: metricsOf(fin.prompts, grid),
          prompts: fin.prompts,
          compute: { samplesDrawn: 1, tokensGenerated: 1, tokensTrained: 1, wallMs: 1 },
          trainingSteps: steps,
          kl: klOf(fin.prompts, fin.kl),
          checkpoints,
          ...(withValidation ? { validation: { metrics: metricsOf(fin.validation, grid), prompts: fin.validation } } : {}),
        } as Results['cells'][number]
      })
      cells.push(...members)
      addGroup(
        key as Results['groups'][number]['key'],
        groupId,
        members,
        `${name}${(arm.nTrain ?? 1) > 1 ? ` N'=${arm.nTrain}` : ''}${withLr ? ` lr=${lr}` : ''}`,
      )
    }
  }
  return {
    schema: 'bonbench/results',
    version: RESULTS_VERSION,
    generatedAt: '2026-12-04T12:00:00.000Z',
    run: { runId: 'planted-v2', createdAt: '2026-12-04T11:00:00.000Z', plannedCells: cells.length },
    provenance: emptyProvenance({
      node: 'v20.0.0',
      platform: { os: 'linux', arch: 'x64', cpus: 2, cpuModel: 'Planted CPU' },
      argv: ['study', 'planted'],
      config: { matrix: { nGrid: grid, temperatures: [1], seeds, poolSize: 32 }, eval: { testPrompts: P } },
      seeds: { matrix: seeds, task: 1234 },
      strategies: spec.arms.map((a) => ({ name: a.arm ?? a.strategy, plugin: a.strategy })),
    }),
    settings: { level: 0.95, alpha: 0.05, bootstrap: spec.bootstrap ?? 200, threshold: 1 },
    cells,
    groups,
    comparisons: [],
    coScaling: { fits: [], bestTemperature: [] },
    charts: [],
    prepare: {},
    errors: [],
    warnings: [],
  }
}
