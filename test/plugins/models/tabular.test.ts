import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { validatePlugin } from '../../../core/registry/validate-plugin.js'
import { formatChoices, parseChoices, scoreGradient, softmax, tabular, type TabularInstance } from '../../../plugins/models/tabular/index.js'
import { fdGrad } from '../../helpers/finite-differences.js'

const PROMPT = `q1: which?\n${formatChoices(['red', 'green', 'blue', 'gold'])}\nanswer:`
const ctx = { seed: 3, corpus: '', concurrency: 1 }
const make = async (options = {}) => (await tabular(options).create(ctx)) as TabularInstance
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

/** L(θ) = −Σ w log softmax(θ/T)_y (+ β·KL to θ_ref at T = 1), written out for finite differences. */
function loss(theta: number[], batch: Array<[number, number]>, beta = 0, ref?: number[], T = 1): number {
  const pT = softmax(theta.map((x) => x / T))
  let total = -batch.reduce((acc, [y, w]) => acc + w * Math.log(pT[y]!), 0)
  const p = softmax(theta)
  if (beta && ref) {
    const q = softmax(ref)
    total += beta * p.reduce((acc, pk, k) => acc + pk * Math.log(pk / q[k]!), 0)
  }
  return total
}

describe('tabular model', () => {
  it('is a valid model plugin; reads answer sets from the choices line or the answers option', async () => {
    expect(validatePlugin(tabular(), 'test').name).toBe('bonbench:tabular')
    expect(parseChoices('x\nchoices: a | b |  c \nanswer:')).toEqual(['a', 'b', 'c'])
    expect(parseChoices('no choices here')).toBeUndefined()
    const model = await make()
    expect(model.answers(PROMPT)).toEqual(['red', 'green', 'blue', 'gold'])
    const fixed = await make({ answers: ['yes', 'no'] })
    expect(fixed.answers('any prompt at all')).toEqual(['yes', 'no'])
    await expect(model.sample([{ promptId: 'x', prompt: 'plain text', n: 1, temperature: 1, seed: 1 }])).rejects.toMatchObject({ code: 'BENCH_USAGE' })
    expect(() => tabular({ optimizer: 'lion' } as never)).toThrow(/bonbench:tabular/)
  })

  it('initial logits are seeded per (seed, prompt, answer), independent of the order prompts are met', async () => {
    const other = `q2: which?\n${formatChoices(['x', 'y', 'z'])}\nanswer:`
    const a = await make()
    const b = await make()
    a.logits(PROMPT)
    a.logits(other)
    b.logits(other)
    expect(b.logits(PROMPT)).toEqual(a.logits(PROMPT))
    const c = (await tabular().create({ ...ctx, seed: 4 })) as TabularInstance
    expect(c.logits(PROMPT)).not.toEqual(a.logits(PROMPT))
    expect((await make({ initScale: 0 })).policy(PROMPT)).toEqual([0.25, 0.25, 0.25, 0.25])
  })

  it('samples reproducibly from softmax(θ/T), with logProb at T = 1; T = 0 is greedy', async () => {
    const model = await make()
    model.setLogits(PROMPT, [1, 0, -1, 0.5])
    const req = { promptId: 'q1', prompt: PROMPT, n: 20000, temperature: 0.5, seed: 42 }
    const [first] = await model.sample([req])
    const [again] = await model.sample([req])
    expect(again!.completions.map((c) => c.text)).toEqual(first!.completions.map((c) => c.text))
    const [other] = await model.sample([{ ...req, seed: 43 }])
    expect(other!.completions.map((c) => c.text)).not.toEqual(first!.completions.map((c) => c.text))
    const want = softmax([1, 0, -1, 0.5], 0.5)
    const answers = model.answers(PROMPT)
    want.forEach((p, k) => {
      const freq = first!.completions.filter((c) => c.text === answers[k]).length / req.n
      expect(Math.abs(freq - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / req.n) + 1e-9)
    })
    const base = softmax([1, 0, -1, 0.5])
    for (const c of first!.completions.slice(0, 20)) {
      expect(c.tokens).toHaveLength(1)
      expect(c.logProb).toBeCloseTo(Math.log(base[c.tokens[0]!]!), 12)
    }
    expect(
      await model.logProb([
        { prompt: PROMPT, completion: 'blue' },
        { prompt: PROMPT, completion: 'mauve' },
      ]),
    ).toEqual([Math.log(base[2]!), -Infinity])
    const [greedy] = await model.sample([{ ...req, n: 5, temperature: 0 }])
    expect(greedy!.completions.map((c) => c.text)).toEqual(Array(5).fill('red'))
  })

  it('update is one exact SGD step on −Σ w log π(y) and reports loss, gradient norm and tokens', async () => {
    const model = await make()
    const theta = [0.3, -0.2, 0.1, 0]
    model.setLogits(PROMPT, theta)
    const batch: Array<[number, number]> = [
      [0, 1.5],
      [2, -0.7],
      [0, 0.2],
      [3, 0.4],
    ]
    const answers = model.answers(PROMPT)
    const stats = await model.update(
      batch.map(([y, w]) => ({ prompt: PROMPT, completion: answers[y]!, weight: w })),
      { learningRate: 0.1 },
    )
    const g = fdGrad((t) => loss(t, batch), theta)
    model.logits(PROMPT).forEach((l, k) => expect(l).toBeCloseTo(theta[k]! - 0.1 * g[k]!, 8))
    expect(stats.loss).toBeCloseTo(loss(theta, batch), 10)
    expect(stats.gradNorm).toBeCloseTo(Math.hypot(...g), 6)
    expect(stats.tokens).toBe(4)
    // The same gradient as −Σ w (e_y − π): the score function the strategy tests use.
    const pi = softmax(theta)
    const scoreSum = theta.map((_, k) => -batch.reduce((acc, [y, w]) => acc + w * scoreGradient(pi, y)[k]!, 0))
    scoreSum.forEach((x, k) => expect(x).toBeCloseTo(g[k]!, 6))
    await expect(model.update([{ prompt: PROMPT, completion: 'mauve', weight: 1 }])).rejects.toMatchObject({ code: 'BENCH_USAGE' })
  })

  it('at a temperature T the step is on −Σ w log π_T(y), π_T = softmax(θ/T); the KL term stays at T = 1', async () => {
    const theta = [0.9, -0.4, 0.2, 0]
    const batch: Array<[number, number]> = [
      [0, 1.2],
      [1, -0.5],
      [3, 0.3],
    ]
    for (const T of [0.5, 2]) {
      const model = await make()
      const ref = model.logits(PROMPT)
      model.setLogits(PROMPT, theta)
      const answers = model.answers(PROMPT)
      const stats = await model.update(
        batch.map(([y, w]) => ({ prompt: PROMPT, completion: answers[y]!, weight: w })),
        { learningRate: 0.1, temperature: T, klBeta: 0.2 },
      )
      const g = fdGrad((t) => loss(t, batch, 0.2, ref, T), theta)
      model.logits(PROMPT).forEach((l, k) => expect(l).toBeCloseTo(theta[k]! - 0.1 * g[k]!, 8))
      expect(stats.loss).toBeCloseTo(loss(theta, batch, 0.2, ref, T), 10)
      // Not the T = 1 step.
      const g1 = fdGrad((t) => loss(t, batch, 0.2, ref), theta)
      expect(Math.max(...g.map((x, k) => Math.abs(x - g1[k]!)))).toBeGreaterThan(0.05)
    }
    const model = await make()
    await expect(model.update([{ prompt: PROMPT, completion: model.answers(PROMPT)[0]!, weight: 1 }], { temperature: 0 })).rejects.toMatchObject({
      code: 'BENCH_USAGE',
    })
  })

  it('klBeta adds the exact gradient of β·KL(π‖π_ref), π_ref being the initial weights', async () => {
    const model = await make()
    const ref = model.logits(PROMPT)
    const theta = [1, -1, 0.5, 0.2]
    model.setLogits(PROMPT, theta)
    const batch: Array<[number, number]> = [[1, 1]]
    const stats = await model.update([{ prompt: PROMPT, completion: model.answers(PROMPT)[1]!, weight: 1 }], { learningRate: 0.05, klBeta: 0.3 })
    const g = fdGrad((t) => loss(t, batch, 0.3, ref), theta)
    model.logits(PROMPT).forEach((l, k) => expect(l).toBeCloseTo(theta[k]! - 0.05 * g[k]!, 8))
    expect(stats.loss).toBeCloseTo(loss(theta, batch, 0.3, ref), 10)
  })

  it('klBeta averages β·KL over the distinct prompts of the batch; a sequence of weight 0 brings its prompt', async () => {
    const model = await make()
    const other = `q2: which?\n${formatChoices(['red', 'green', 'blue', 'gold'])}\nanswer:`
    const refs = [model.logits(PROMPT), model.logits(other)]
    const thetas = [
      [1, -1, 0.5, 0.2],
      [0.3, 0.9, -0.4, 0],
    ]
    model.setLogits(PROMPT, thetas[0]!)
    model.setLogits(other, thetas[1]!)
    const stats = await model.update(
      [
        { prompt: PROMPT, completion: 'green', weight: 0.5 },
        { prompt: other, completion: 'red', weight: 0 },
      ],
      { learningRate: 0.05, klBeta: 0.3 },
    )
    // L = −0.5 log π(green|q1) + (0.3 / 2)·[KL(q1) + KL(q2)]
    const g1 = fdGrad((t) => loss(t, [[1, 0.5]], 0.3 / 2, refs[0]), thetas[0]!)
    const g2 = fdGrad((t) => loss(t, [], 0.3 / 2, refs[1]), thetas[1]!)
    model.logits(PROMPT).forEach((l, k) => expect(l).toBeCloseTo(thetas[0]![k]! - 0.05 * g1[k]!, 8))
    model.logits(other).forEach((l, k) => expect(l).toBeCloseTo(thetas[1]![k]! - 0.05 * g2[k]!, 8))
    expect(stats.loss).toBeCloseTo(loss(thetas[0]!, [[1, 0.5]], 0.3 / 2, refs[0]) + loss(thetas[1]!, [], 0.3 / 2, refs[1]), 10)
  })

  it('Adam (option) takes bias-corrected steps of about lr per coordinate and raises the trained answer', async () => {
    const model = await make({ optimizer: 'adam', learningRate: 0.05 })
    const before = model.logits(PROMPT)
    await model.update([{ prompt: PROMPT, completion: 'green', weight: 1 }])
    const step = model.logits(PROMPT).map((l, k) => l - before[k]!)
    for (const s of step) expect(Math.abs(Math.abs(s) - 0.05)).toBeLessThan(1e-6)
    for (let i = 0; i < 50; i++) await model.update([{ prompt: PROMPT, completion: 'green', weight: 1 }])
    expect(model.policy(PROMPT)[1]).toBeGreaterThan(0.9)
  })

  it('clone is independent; save/load round-trips weights, reference and hash', async () => {
    const model = await make({ optimizer: 'adam' })
    await model.update([{ prompt: PROMPT, completion: 'gold', weight: 1 }])
    const copy = await model.clone()
    await copy.update([{ prompt: PROMPT, completion: 'red', weight: 5 }])
    expect(copy.logits(PROMPT)).not.toEqual(model.logits(PROMPT))
    const dir = await mkdtemp(join(tmpdir(), 'tabular-'))
    dirs.push(dir)
    const { hash } = await model.save(dir)
    expect(hash).toMatch(/^[0-9a-f]{64}$/)
    expect(model.describe()).toMatchObject({ hash, parameters: 4, backend: 'js', device: 'cpu' })
    const loaded = (await tabular().load!(dir, { seed: 99, concurrency: 1 })) as TabularInstance
    expect(loaded.describe().hash).toBe(hash)
    expect(loaded.logits(PROMPT)).toEqual(model.logits(PROMPT))
    // Same state, same next step (Adam moments and the KL reference travel with the checkpoint).
    await model.update([{ prompt: PROMPT, completion: 'blue', weight: 1 }], { klBeta: 0.5 })
    await loaded.update([{ prompt: PROMPT, completion: 'blue', weight: 1 }], { klBeta: 0.5 })
    expect(loaded.logits(PROMPT)).toEqual(model.logits(PROMPT))
    await expect(tabular().load!(join(dir, 'missing'), { seed: 1, concurrency: 1 })).rejects.toMatchObject({ code: 'BENCH_DATA_MISSING' })
  })

  it('a checkpoint never depends on which prompts were only met: a model that sampled others saves the same bytes', async () => {
    // Issue 16: a cell run after others in one process, or alone on a queue worker, must journal the same checkpoint hash.
    const other = `q2: which?\n${formatChoices(['x', 'y'])}\nanswer:`
    const plain = await make()
    const widened = await make()
    await widened.sample([{ promptId: 'q2', prompt: other, n: 3, temperature: 1, seed: 1 }])
    await widened.logProb([{ prompt: PROMPT, completion: 'red' }])
    const [a, b] = [await plain.clone(), await widened.clone()]
    for (const m of [a, b]) await m.update([{ prompt: PROMPT, completion: 'gold', weight: 1 }])
    await b.sample([{ promptId: 'q2', prompt: other, n: 2, temperature: 1, seed: 2 }])
    const [dirA, dirB] = [await mkdtemp(join(tmpdir(), 'tabular-')), await mkdtemp(join(tmpdir(), 'tabular-'))]
    dirs.push(dirA, dirB)
    const [ha, hb] = [await a.save(dirA), await b.save(dirB)]
    expect(hb.hash).toBe(ha.hash)
    expect(b.describe()).toEqual(a.describe())
    expect(a.describe()).toMatchObject({ parameters: 4, prompts: 1 })
    // What was left out is made again, the same, on first sight.
    const loaded = (await tabular().load!(dirA, { seed: 1, concurrency: 1 })) as TabularInstance
    expect(loaded.logits(other)).toEqual(widened.logits(other))
    expect(loaded.logits(PROMPT)).toEqual(b.logits(PROMPT))
  })

  it('clone follows the fine-tuning rule: fresh Adam state, π_ref = the logits it starts from', async () => {
    const model = await make({ optimizer: 'adam', learningRate: 0.05 })
    for (let i = 0; i < 3; i++) await model.update([{ prompt: PROMPT, completion: 'gold', weight: 1 }], { klBeta: 0.5 })
    const dir = await mkdtemp(join(tmpdir(), 'tabular-'))
    dirs.push(dir)
    await model.save(dir)
    const loaded = (await tabular({ optimizer: 'adam', learningRate: 0.05 }).load!(dir, { seed: 1, concurrency: 1 })) as TabularInstance
    const [a, b] = [await model.clone(), await loaded.clone()]
    const start = a.logits(PROMPT)
    const step = [{ prompt: PROMPT, completion: 'blue', weight: 1 }]
    // A fresh Adam's first step moves every coordinate by about lr (bias-corrected m̂/√v̂ = ±1).
    const sa = await a.update(step, { klBeta: 0.5 })
    a.logits(PROMPT).forEach((l, k) => expect(Math.abs(Math.abs(l - start[k]!) - 0.05)).toBeLessThan(1e-6))
    // At the start π = π_ref, so the KL term adds nothing to the loss.
    expect(sa.loss).toBeCloseTo(-Math.log(softmax(start)[2]!), 10)
    expect(sa.loss).toBeCloseTo(loss(start, [[2, 1]], 0.5, start), 10)
    await b.update(step, { klBeta: 0.5 })
    expect(b.logits(PROMPT)).toEqual(a.logits(PROMPT))
  })
})

describe('tabular checkpoints a user gives', () => {
  it('a damaged, foreign or missing checkpoint is refused naming it and saying what to give', async () => {
    const { writeFile } = await import('node:fs/promises')
    const dir = await mkdtemp(join(tmpdir(), 'bonbench-tabular-bad-'))
    dirs.push(dir)
    const plugin = tabular()
    const what = "Give a folder a tabular model saved (a run's checkpoints/<cell>), or copy it again if it was damaged."
    await expect(plugin.load!(dir, ctx)).rejects.toThrow(`bonbench:tabular: no checkpoint at ${join(dir, 'tabular.json')}. ${what}`)
    await writeFile(join(dir, 'tabular.json'), '{"format": "bonbench-tab')
    await expect(plugin.load!(dir, ctx)).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringMatching(/is not valid JSON\. Give a folder/),
    })
    await writeFile(join(dir, 'tabular.json'), '{"format": "other"}')
    await expect(plugin.load!(dir, ctx)).rejects.toThrow(`is not a tabular checkpoint (format 'bonbench-tabular', version 1). ${what}`)
  })
})
