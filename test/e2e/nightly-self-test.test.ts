import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchInProcess } from './cli-help.js'
import { bench, repoRoot, tempDir, runDirOf } from './cli-helper.js'

// The nightly's self-test, shrunk to the tabular model on the toy task so it runs in seconds: a
// base run, a rerun of the same config, and three runs with a known regression injected. Each
// regression must fail `bench compare --fail-on-regression` (exit 1); the rerun must be reported
// bit-identical and flagged by nothing. docs/nightly.md quotes what this measures.

// A strategy whose weights can flip sign: bon-rl-v (picks and reward by the selector) with every
// weight times `sign`. Both the base and the regressed run use it (same name, so their cells
// match); only the option differs. bon-rl-v, not bon-rl: a tabular policy trained on the true
// reward only gets better as its steps grow, while one trained on a noisy selector's score
// over-sharpens onto the selector's favourites when its learning rate is pushed — a collapse of
// pass@max N that a tabular model can show.
// It imports bon-rl from the build (dist/, what `npm ci` builds and bin/bench.js runs): a .ts
// import would make the CLI start on the sources through tsx, a second or more per run.
const signedStrategy = `import { bonRlVariants, makeBonRl } from ${JSON.stringify(join(repoRoot, 'dist/plugins/strategies/bon-rl.js'))}
export default (options = {}) => {
  const sign = options.sign ?? 1
  const inner = makeBonRl(bonRlVariants['bon-rl-v'])()
  return {
    ...inner, name: 'lab/bon-rl-signed', meta: { version: '1.0.0' }, options: { sign }, optionsSchema: undefined,
    weights(group, params) {
      const out = inner.weights(group, params)
      return { ...out, sequences: out.sequences.map((s) => ({ ...s, weight: sign * s.weight })) }
    },
  }
}
`

// A selector that scores at random (seeded per prompt and completion, so the run stays deterministic).
const randomVerifier = `import { createHash } from 'node:crypto'
export default () => ({
  name: 'lab/random', kind: 'verifier', meta: { version: '1.0.0' }, options: {},
  async score(batch) {
    return batch.map((item) => {
      const h = createHash('sha256').update(item.problem.id + '\\0' + item.completion).digest()
      return { score: h.readUInt32LE(0) / 2 ** 32, reason: 'random' }
    })
  },
})
`

type Json = Record<string, any>

function config(overrides: { sign?: number; learningRate?: number; verifier?: string }): Json {
  return {
    plugins: [
      ['./signed-strategy.mjs', { sign: overrides.sign ?? 1 }],
      './random-verifier.mjs',
      ['toy', { prompts: 90, split: 'shared' }],
      // An imperfect selector (score = reward + noise), so Bo-N sits between pass@1 and pass@N.
      ['toy-answer', { noise: 1 }],
      // One base model for every seed: the seeds then differ by sampling and training only.
      ['tabular', { initScale: 0 }],
    ],
    matrix: {
      task: 'toy',
      model: 'tabular',
      strategies: ['lab/bon-rl-signed'],
      nGrid: [1, 2, 4, 8],
      nTrain: [4],
      seeds: [0, 1, 2],
      poolSize: 16,
      ...(overrides.verifier ? { verifier: overrides.verifier } : {}),
    },
    train: { steps: 60, ...(overrides.learningRate ? { learningRate: overrides.learningRate } : {}) },
    eval: { bootstrap: 20 },
    concurrency: 1,
  }
}

const variants = {
  base: config({}),
  rerun: config({}),
  // A learning rate pushed until training collapses (1000× the tabular default of 4).
  collapse: config({ learningRate: 4000 }),
  // Best-of-N and bon-rl's picks ranked by a verifier that scores at random.
  randomVerifier: config({ verifier: 'lab/random' }),
  // bon-rl's weights with their sign flipped: training walks away from the reward.
  flipped: config({ sign: -1 }),
}
type Variant = keyof typeof variants

describe('the nightly self-test: injected regressions are flagged, an unchanged rerun is not', () => {
  const project = tempDir('bonbench-nightly-self-')
  const dirs = {} as Record<Variant, string>
  afterAll(() => project.cleanup())

  beforeAll(async () => {
    writeFileSync(join(project.dir, 'signed-strategy.mjs'), signedStrategy)
    writeFileSync(join(project.dir, 'random-verifier.mjs'), randomVerifier)
    for (const [name, cfg] of Object.entries(variants)) {
      const file = join(project.dir, `${name}.config.json`)
      writeFileSync(file, JSON.stringify({ ...cfg, runsDir: `.bench/${name}` }))
    }
    // Two at a time: the CLI runs are small, and one core idles while the other writes a journal.
    const names = Object.keys(variants) as Variant[]
    for (let i = 0; i < names.length; i += 2) {
      await Promise.all(
        names.slice(i, i + 2).map(async (name) => {
          const result = await bench(['run', '--config', `${name}.config.json`, '--no-tui'], { cwd: project.dir, timeout: 120_000 })
          expect(result.exitCode, `${name}: ${result.stderr}`).toBe(0)
          dirs[name] = runDirOf(result.stdout)
        }),
      )
    }
  }, 300_000)

  // `bench compare` runs in this process (benchInProcess): what it prints and returns is the test.
  const compare = (name: Variant, format = 'json') =>
    benchInProcess(['compare', dirs.base, dirs[name], '--fail-on-regression', '--format', format], { cwd: project.dir })

  it('a rerun of unchanged code is bit-identical, cell by cell, and flags nothing', async () => {
    const result = await compare('rerun')
    expect(result.exitCode, result.stderr).toBe(0)
    const c = JSON.parse(result.stdout) as Json
    expect(c.exact.identical).toBe(true)
    expect(c.exact.cells.map((e: Json) => e.state)).toEqual(['identical', 'identical'])
    expect(c.regressions).toEqual([])
    expect(c.cells.filter((d: Json) => d.significant)).toEqual([])
    const md = await compare('rerun', 'md')
    expect(md.stdout).toMatch(/✅ \*\*No significant regression\*\* — all 2 cells are bit-identical/)
    // the config and journal of a rerun are the same bytes but for ids and paths
    expect(readFileSync(join(dirs.rerun, 'journal.jsonl'), 'utf8').split('\n').length).toBe(
      readFileSync(join(dirs.base, 'journal.jsonl'), 'utf8').split('\n').length,
    )
  }, 60_000)

  it.each([
    ['collapse', 'a learning rate pushed until training collapses', ['lab/bon-rl-signed']],
    ['randomVerifier', 'a verifier that scores at random', ['base', 'lab/bon-rl-signed']],
    ['flipped', 'a strategy whose weights flip sign', ['lab/bon-rl-signed']],
  ] as const)(
    'flags %s (%s) with exit 1, on the cells it touches, and lists them as changed',
    async (name, _what, strategies) => {
      const result = await compare(name)
      expect(result.exitCode, result.stdout.slice(0, 2000)).toBe(1)
      const c = JSON.parse(result.stdout) as Json
      expect(c.notReproducible).toBe(false)
      expect(c.exact.inputs.same).toBe(false)
      for (const s of strategies) {
        expect(
          c.regressions.some((r: Json) => r.groupId.includes(`/${s}/`)),
          `${name}: ${s} flagged`,
        ).toBe(true)
        expect(
          c.exact.changed.some((g: string) => g.includes(`/${s}/`)),
          `${name}: ${s} listed as changed`,
        ).toBe(true)
      }
      // a flagged drop is one the comparison could see: at least its stated MDE at 80% power is finite
      for (const r of c.regressions) expect(r.detectable.mde).toBeGreaterThan(0)
      const md = await compare(name, 'md')
      expect(md.stdout.split('\n')[2]).toMatch(/^❌ \*\*\d+ evaluation regression\(s\)\*\* — \d of 2 cells bit-identical, [12] changed\.$/)
    },
    60_000,
  )

  it('a rerun whose benchmarks moved by noise alone passes until 3 nights of history judge it (--bench-strict fails it)', async () => {
    // The base run and an unchanged rerun, each with benchmark results of the same code on the same
    // machine: tonight's p99 is 2.6 times the base night's, as a shared machine draws it.
    const bench1 = (day: number, p99: number) => ({
      format: 'bonbench-benchmark',
      version: 1,
      suite: 'metrics',
      createdAt: `2026-11-${day}T03:00:00.000Z`,
      git: { commit: `c${day}` },
      machine: { cpus: 2, cpuModel: 'Test CPU', node: 'v20', os: 'linux', arch: 'x64' },
      records: [{ case: 'pass@k n=1024', metric: 'latency-p99', value: p99, unit: 'ms', higherIsBetter: false }],
    })
    const [lg, tn, history] = ['bench-lg', 'bench-tn', 'bench-history'].map((n) => join(project.dir, n))
    cpSync(dirs.base, lg!, { recursive: true })
    cpSync(dirs.rerun, tn!, { recursive: true })
    for (const [dir, file] of [
      [join(lg!, 'benchmarks'), bench1(24, 1.0)],
      [join(tn!, 'benchmarks'), bench1(25, 2.6)],
      [join(history!, '2026-11-23'), bench1(23, 1.1)],
    ] as const) {
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, 'metrics.json'), JSON.stringify(file))
    }
    const args = ['compare', lg!, tn!, '--bench-history', history!, '--fail-on-regression']
    const lenient = await benchInProcess(args, { cwd: project.dir })
    expect(lenient.exitCode, lenient.stderr).toBe(0)
    expect(lenient.stdout).toMatch(/✅ \*\*No significant regression\*\* \(1 benchmark record\(s\) worse than the base run, not judged: too little history\)/)
    expect(lenient.stdout).toContain('regression (not judged: 2 of 3 nights of history)')
    const strict = await benchInProcess([...args, '--bench-strict'], { cwd: project.dir })
    expect(strict.exitCode, strict.stderr).toBe(1)
    expect(strict.stdout).toContain('### Benchmark regressions')
  }, 120_000)

  it('exits 3 (not reproducible) when a cell changes although code, config and data are recorded the same', async () => {
    // The base run twice, as if from a clean commit, one of them with a number that moved.
    const copies = ['clean-a', 'clean-b'].map((n) => join(project.dir, n))
    for (const dir of copies) {
      cpSync(dirs.base, dir, { recursive: true })
      const manifest = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Json
      manifest.provenance.harness.git = { commit: '0'.repeat(40), dirty: false }
      delete manifest.provenance.git
      writeFileSync(join(dir, 'run.json'), JSON.stringify(manifest))
    }
    const journalFile = join(copies[1]!, 'journal.jsonl')
    const lines = readFileSync(journalFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json)
    const cell = lines.find((r) => r.type === 'cell' && r.cellId.startsWith('base'))!
    cell.result.prompts[0].pFail = Math.min(1, cell.result.prompts[0].pFail + 2 ** -20)
    writeFileSync(journalFile, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
    const result = await benchInProcess(['compare', copies[0]!, copies[1]!, '--fail-on-regression'], { cwd: project.dir })
    expect(result.exitCode, result.stderr).toBe(3)
    expect(result.stdout.split('\n')[2]).toMatch(/^⛔ \*\*Not reproducible: 1 cell\(s\) changed/)
    expect(result.stdout).toMatch(/### Not reproducible\n\n- `toy\/tabular\/base\/n1\/t1` \(seeds 0\): `s0 prompts\[0\]\.pFail: /)
  }, 60_000)
})
