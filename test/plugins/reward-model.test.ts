import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { isBenchError } from '../../core/errors.js'
import type { ModelInstance } from '../../core/plugin-api/model.js'
import type { Problem } from '../../core/plugin-api/task.js'
import type { VerifierPrepareContext, VerifyItem } from '../../core/plugin-api/verifier.js'
import { createRng } from '../../core/rng.js'
import { validatePlugin } from '../../core/registry/validate-plugin.js'
import { tabular } from '../../plugins/models/tabular/index.js'
import { toy } from '../../plugins/tasks/toy/index.js'
import { mathAnswer } from '../../plugins/verifiers/math-answer/index.js'
import { aucBootstrapCi, exactAuc, rewardModel, strengthPresets, type RewardModelFacts } from '../../plugins/verifiers/reward-model/index.js'
import { contentHash } from '../../plugins/verifiers/reward-model/cache.js'
import { tf } from '../../plugins/verifiers/reward-model/tf-backend.js'
import { toyAnswer } from '../../plugins/verifiers/toy-answer/index.js'
import { arithmeticPolicy, arithmeticProblems } from '../fixtures/arithmetic-policy.js'

const tempDirs: string[] = []
function tempCacheDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bonbench-reward-model-'))
  tempDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

/** The real policy behind a thin wrapper that counts sampling calls (delegates everything). */
function counted(inner: ModelInstance): { model: ModelInstance; calls: { sample: number } } {
  const calls = { sample: 0 }
  const model: ModelInstance = {
    sample(requests, opts) {
      calls.sample++
      return inner.sample(requests, opts)
    },
    describe: () => inner.describe(),
  }
  return { model, calls }
}

const TRAIN = arithmeticProblems(120, 1, 'train')
const TEST = arithmeticProblems(40, 2, 'test')
const SMALL = { samplesPerPrompt: 6 }

function prepareContext(model: ModelInstance, cacheDir: string, seed = 7, train: Problem[] = TRAIN): VerifierPrepareContext {
  return {
    task: { train, test: TEST },
    model,
    reward: mathAnswer(),
    seed,
    rng: createRng(seed),
    cacheDir,
    temperature: 1,
    generation: { maxTokens: 32 },
    log: () => {},
  }
}

/** Test-split samples of the same policy, labelled by the real reward: items to score. */
async function testItems(): Promise<{ items: VerifyItem[]; labels: number[] }> {
  const results = await arithmeticPolicy().sample(
    TEST.map((problem, i) => ({ promptId: problem.id, prompt: problem.prompt, n: 4, temperature: 1, seed: 1000 + i })),
  )
  const items = results.flatMap((result, i) => result.completions.map((c) => ({ problem: TEST[i]!, completion: c.text })))
  const verdicts = await mathAnswer().score(items, { concurrency: 1 })
  return { items, labels: verdicts.map((v) => v.reward ?? 0) }
}

/** AUC by definition: over all (positive, negative) pairs, 1 if the positive scores higher, ½ if tied. */
function bruteForceAuc(scores: number[], labels: number[]): number | null {
  let sum = 0
  let pairs = 0
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue
      pairs++
      sum += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0
    }
  }
  return pairs === 0 ? null : sum / pairs
}

describe('exactAuc', () => {
  it('matches the pairwise definition on small cases with ties', () => {
    expect(exactAuc([0.1, 0.9], [0, 1])).toBe(1)
    expect(exactAuc([0.9, 0.1], [0, 1])).toBe(0)
    expect(exactAuc([0.5, 0.5, 0.5], [1, 0, 1])).toBe(0.5)
    expect(exactAuc([0.2, 0.5, 0.5, 0.8], [0, 1, 0, 1])).toBe(0.875)
    expect(exactAuc([0.3, 0.4], [1, 1])).toBeNull()
    expect(exactAuc([], [])).toBeNull()
    const rng = createRng(3)
    for (let trial = 0; trial < 300; trial++) {
      const n = 2 + rng.int(12)
      // Few distinct values so ties are common.
      const scores = Array.from({ length: n }, () => rng.int(4) / 4)
      const labels = Array.from({ length: n }, () => rng.int(2))
      const expected = bruteForceAuc(scores, labels)
      const actual = exactAuc(scores, labels)
      if (expected === null) expect(actual).toBeNull()
      else expect(actual).toBeCloseTo(expected, 12)
    }
  })

  it('rejects mismatched lengths', () => {
    expect(() => exactAuc([1, 2], [1])).toThrow(/2 scores but 1 labels/)
  })
})

/** A seeded standard normal (Box–Muller). */
function gaussian(rng: { next(): number }): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next())
}

/** Φ, the standard normal CDF (Abramowitz–Stegun 7.1.26, |error| < 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2)
  const erf = 1 - t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(x * x) / 2)
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf)
}

/**
 * Planted clustered scores: `prompts` prompts of `perPrompt` samples. Prompt p has a difficulty
 * offset o ~ N(0, σ²) that raises both its samples' scores and their chance of being correct
 * (P(correct) = sigmoid(o) − as a real reward model's prompt features do); a sample scores
 * o + shift·label + N(0, 1). With σ = 0 the population AUC is Φ(shift / √2).
 */
function plantedScores(seed: number, prompts: number, perPrompt: number, shift: number, sigma: number) {
  const rng = createRng(seed)
  const scores: number[] = []
  const labels: number[] = []
  const groups: string[] = []
  for (let p = 0; p < prompts; p++) {
    const offset = sigma * gaussian(rng)
    const rate = 1 / (1 + Math.exp(-offset))
    for (let s = 0; s < perPrompt; s++) {
      const label = rng.next() < rate ? 1 : 0
      scores.push(offset + label * shift + gaussian(rng))
      labels.push(label)
      groups.push(`p${p}`)
    }
  }
  return { scores, labels, groups }
}

describe('aucBootstrapCi', () => {
  it('is exact where the AUC cannot move, and undefined where the AUC is', () => {
    const groups = ['a', 'a', 'b', 'b', 'c', 'c']
    expect(aucBootstrapCi([0.1, 0.9, 0.2, 0.8, 0.3, 0.7], [0, 1, 0, 1, 0, 1], groups, { rng: createRng(1) })).toEqual([1, 1])
    expect(aucBootstrapCi([0.9, 0.1, 0.8, 0.2, 0.7, 0.3], [0, 1, 0, 1, 0, 1], groups, { rng: createRng(1) })).toEqual([0, 0])
    expect(aucBootstrapCi([0.5, 0.5, 0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1, 1, 0], groups, { rng: createRng(1) })).toEqual([0.5, 0.5])
    expect(aucBootstrapCi([0.1, 0.2], [1, 1], ['a', 'b'], { rng: createRng(1) })).toBeNull()
    expect(() => aucBootstrapCi([0.1, 0.2], [1, 0], ['a'], { rng: createRng(1) })).toThrow(/2 scores, 2 labels and 1 groups/)
  })

  it('brackets the AUC, is seeded, and narrows with more prompts', () => {
    const small = plantedScores(5, 30, 8, 1, 1)
    const ci = aucBootstrapCi(small.scores, small.labels, small.groups, { rng: createRng(9) })!
    const auc = exactAuc(small.scores, small.labels)!
    expect(ci[0]).toBeLessThan(auc)
    expect(ci[1]).toBeGreaterThan(auc)
    expect(aucBootstrapCi(small.scores, small.labels, small.groups, { rng: createRng(9) })).toEqual(ci)
    const large = plantedScores(5, 480, 8, 1, 1)
    const narrow = aucBootstrapCi(large.scores, large.labels, large.groups, { rng: createRng(9) })!
    expect(narrow[1] - narrow[0]).toBeLessThan((ci[1] - ci[0]) / 2)
    // σ = 0: the population AUC is Φ(1/√2) ≈ 0.760.
    const plain = plantedScores(6, 480, 8, 1, 0)
    const [lo, hi] = aucBootstrapCi(plain.scores, plain.labels, plain.groups, { rng: createRng(9) })!
    expect(normalCdf(1 / Math.SQRT2)).toBeCloseTo(0.7602, 3)
    expect(lo).toBeLessThan(normalCdf(1 / Math.SQRT2))
    expect(hi).toBeGreaterThan(normalCdf(1 / Math.SQRT2))
  })

  it('covers the planted population AUC about 95% of the time when prompts share offsets', { timeout: 60_000 }, () => {
    // A prompt's samples move together (σ = 1.5). Resampling prompts is calibrated; treating every
    // sample as its own prompt is too narrow; also redrawing samples within prompts is too wide.
    const population = plantedScores(1, 20_000, 8, 1, 1.5)
    const truth = exactAuc(population.scores, population.labels)!
    const trials = 300
    const coverage = (scheme: 'prompts' | 'prompts-then-samples' | 'samples') => {
      let covered = 0
      for (let trial = 0; trial < trials; trial++) {
        const data = plantedScores(100 + trial, 64, 8, 1, 1.5)
        const groups = scheme === 'samples' ? data.groups.map((_, i) => `s${i}`) : data.groups
        const [lo, hi] = aucBootstrapCi(data.scores, data.labels, groups, {
          rng: createRng(trial),
          resamples: 300,
          resample: scheme === 'prompts-then-samples' ? scheme : 'prompts',
        })!
        if (lo <= truth && truth <= hi) covered++
      }
      return covered / trials
    }
    const prompts = coverage('prompts')
    expect(prompts).toBeGreaterThan(0.9)
    expect(prompts).toBeLessThan(0.975)
    expect(coverage('samples')).toBeLessThan(prompts - 0.05)
    expect(coverage('prompts-then-samples')).toBeGreaterThan(0.975)
  })
})

describe('contentHash (the reward-model cache key)', () => {
  it('hashes stable JSON: key order and undefined members aside, every value counts', () => {
    const problem = { id: 'p', prompt: 'q', data: { correct: ['a'], answers: ['a', 'b'] } }
    expect(contentHash({ data: { answers: ['a', 'b'], correct: ['a'] }, prompt: 'q', id: 'p', answer: undefined })).toBe(contentHash(problem))
    expect(contentHash({ ...problem, data: { ...problem.data, correct: ['b'] } })).not.toBe(contentHash(problem))
    // As JSON.stringify: toJSON counts (a Date is not `{}`), an undefined array item is null.
    expect(contentHash({ at: new Date(0) })).not.toBe(contentHash({ at: new Date(1) }))
    expect(contentHash({ at: new Date(0) })).toBe(contentHash({ at: new Date(0).toJSON() }))
    expect(contentHash([undefined, 1])).toBe(contentHash([null, 1]))
  })
})

describe('bonbench:reward-model', () => {
  /**
   * The SMALL model of TRAIN at seed 7 (options and inputs as `rewardModel({ ...SMALL, cache: false })`
   * with `prepareContext(arithmeticPolicy(), …)`: the cache option is not part of what trains), trained
   * once on first use into a cache folder of its own by a policy that counts its sampling calls: the
   * caching test replays it, the capacity and interval tests read its facts.
   */
  let small: Promise<{ cacheDir: string; calls: { sample: number }; plugin: ReturnType<typeof rewardModel>; facts: RewardModelFacts }> | undefined
  const smallModel = () =>
    (small ??= (async () => {
      const cacheDir = tempCacheDir()
      const { model, calls } = counted(arithmeticPolicy())
      const plugin = rewardModel(SMALL)
      const facts = (await plugin.prepare!(prepareContext(model, cacheDir))) as RewardModelFacts
      return { cacheDir, calls, plugin, facts }
    })())
  afterAll(async () => (await small)?.plugin.dispose?.())

  it('is registered as a built-in, passes plugin validation and validates its options', async () => {
    // Imported here so a half-written sibling plugin cannot break the other tests of this file.
    const { builtins } = await import('../helpers/builtin-factories.js')
    const plugin = builtins['reward-model']!({ hidden: 4 })
    expect(validatePlugin(plugin, 'reward-model')).toBe(plugin)
    expect(plugin.name).toBe('bonbench:reward-model')
    expect(plugin.kind).toBe('verifier')
    expect(plugin.options).toMatchObject({ hidden: 4, samplesPerPrompt: 8 })
    for (const bad of [{ hidden: -1 }, { labelNoise: 0.7 }, { features: ['nope'] }, { unknownKnob: 1 }, { strength: 'huge' }]) {
      try {
        rewardModel(bad as Record<string, unknown>)
        expect.unreachable('bad options must throw')
      } catch (error) {
        expect(isBenchError(error) && error.code).toBe('BENCH_PLUGIN_OPTIONS')
        expect((error as Error).message).toContain('bonbench:reward-model')
      }
    }
  })

  it('refuses to score before prepare, saying what to do', async () => {
    const plugin = rewardModel()
    const item = { problem: TRAIN[0]!, completion: 'A: 1' }
    await expect(plugin.score([item], { concurrency: 1 })).rejects.toMatchObject({
      code: 'BENCH_USAGE',
      message: expect.stringMatching(/bonbench:reward-model.*before prepare\(\).*call prepare/s),
    })
  })

  it('needs train problems', async () => {
    const plugin = rewardModel({ cache: false })
    await expect(plugin.prepare!(prepareContext(arithmeticPolicy(), tempCacheDir(), 7, TRAIN.slice(0, 1)))).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
    })
  })

  it('trains an informative but imperfect verifier, caches it by content hash, and replays it exactly', async () => {
    const { cacheDir, calls, plugin: trained, facts } = await smallModel()

    expect(calls.sample).toBeGreaterThan(0)
    expect(facts).not.toHaveProperty('cached')
    expect(facts.prompts).toBe(120)
    expect(facts.trainSize + facts.heldOutSize).toBe(120 * 6)
    expect(facts.heldOutSize).toBe(30 * 6)
    expect(facts.positives).toBeGreaterThan(0)
    expect(facts.positives).toBeLessThan(120 * 6)
    expect(facts.auc).not.toBeNull()
    expect(facts.auc!).toBeGreaterThanOrEqual(0.6)
    expect(facts.auc!).toBeLessThanOrEqual(0.95)
    expect(facts.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(readdirSync(path.join(cacheDir, 'reward-model'))).toEqual([`${facts.hash}.json`])

    // Scores on unseen test prompts: probabilities strictly inside (0, 1), no reward field, and
    // better than chance at ranking correct above incorrect answers.
    const { items, labels } = await testItems()
    const verdicts = await trained.score(items, { concurrency: 1 })
    expect(verdicts).toHaveLength(items.length)
    expect(await trained.score([], { concurrency: 1 })).toEqual([])
    for (const v of verdicts) {
      expect(v.reason).toBe('scored')
      expect(v.score).toBeGreaterThan(0)
      expect(v.score).toBeLessThan(1)
      expect(v).not.toHaveProperty('reward')
    }
    expect(
      exactAuc(
        verdicts.map((v) => v.score),
        labels,
      )!,
    ).toBeGreaterThan(0.6)

    // Same inputs, a new plugin instance: the cache answers, the model is never sampled.
    const second = counted(arithmeticPolicy())
    const loaded = rewardModel(SMALL)
    const replay = (await loaded.prepare!(prepareContext(second.model, cacheDir))) as RewardModelFacts
    expect(second.calls.sample).toBe(0)
    // The same facts as the trained model's, wall time aside: nothing says the cache answered (a
    // cold and a warm run journal the same records).
    expect({ ...replay, prepareMs: 0 }).toEqual({ ...facts, prepareMs: 0 })
    expect((await loaded.score(items, { concurrency: 1 })).map((v) => v.score)).toEqual(verdicts.map((v) => v.score))

    // A different base checkpoint is different content: it samples and trains again.
    const other = counted(arithmeticPolicy('arithmetic-policy-v2'))
    const retrained = (await rewardModel(SMALL).prepare!(prepareContext(other.model, cacheDir))) as RewardModelFacts
    expect(other.calls.sample).toBeGreaterThan(0)
    expect(retrained.hash).not.toBe(facts.hash)
    loaded.dispose?.()
  })

  it('never answers from the cache for problems that differ only in data: warm and cold give the same bits', async () => {
    // The reviewer's case: toy problems whose ids, prompts, answers and experts stay, while
    // data.correct (what toy-answer grades by) changes, prepared against one cache folder.
    const task = await toy({ seed: 218, prompts: 16, levels: [2, 1] }).load({ seed: 0 })
    const regraded = task.train.map((p) => (p.level === 1 ? { ...p, data: { ...p.data, correct: [p.answer] } } : p))
    expect(regraded.map((p) => [p.id, p.prompt, p.answer, p.expert])).toEqual(task.train.map((p) => [p.id, p.prompt, p.answer, p.expert]))
    const items = task.train.flatMap((problem) => (problem.data as { answers: string[] }).answers.map((completion) => ({ problem, completion })))
    const prepare = async (train: Problem[], cacheDir: string) => {
      const logs: string[] = []
      const plugin = rewardModel()
      const facts = (await plugin.prepare!({
        task: { train, test: train },
        model: await tabular().create({ seed: 1, corpus: '', concurrency: 1 }),
        reward: toyAnswer(),
        seed: 3,
        rng: createRng(3),
        cacheDir,
        temperature: 1,
        generation: { maxTokens: 8, stop: ['\n'] },
        log: (m) => logs.push(m),
      })) as RewardModelFacts
      const scores = (await plugin.score(items, { concurrency: 1 })).map((v) => v.score)
      plugin.dispose?.()
      return { facts: { ...facts, prepareMs: 0 }, scores, loaded: logs.some((m) => m.includes('loaded cached reward model')) }
    }
    const shared = tempCacheDir()
    const first = await prepare(task.train, shared)
    const warm = await prepare(regraded, shared)
    const cold = await prepare(regraded, tempCacheDir())
    // The change reaches the labels, so a model trained on the first problems is the wrong one.
    expect(cold.facts.positives).not.toBe(first.facts.positives)
    expect(warm.loaded).toBe(false)
    expect(warm.facts.hash).not.toBe(first.facts.hash)
    expect(warm.facts).toEqual(cold.facts)
    expect(warm.scores).toEqual(cold.scores)
    // Unchanged inputs keep their key: the regraded problems now load their own model, bit for bit.
    const again = await prepare(regraded, shared)
    expect(again.loaded).toBe(true)
    expect(again.facts).toEqual(cold.facts)
    expect(again.scores).toEqual(cold.scores)
  })

  it('is deterministic for a seed and changes with it', async () => {
    const { items } = await testItems()
    const run = async (seed: number) => {
      const plugin = rewardModel({ ...SMALL, cache: false, maxPrompts: 60 })
      const facts = (await plugin.prepare!(prepareContext(arithmeticPolicy(), tempCacheDir(), seed))) as RewardModelFacts
      const scores = (await plugin.score(items, { concurrency: 1 })).map((v) => v.score)
      plugin.dispose?.()
      return { facts, scores }
    }
    const a = await run(11)
    const b = await run(11)
    const c = await run(12)
    expect(b.scores).toEqual(a.scores)
    expect(b.facts.auc).toBe(a.facts.auc)
    expect(c.scores).not.toEqual(a.scores)
  })

  it('gets weaker when its capacity knobs are turned down', async () => {
    const prepare = async (options: Record<string, unknown>) => {
      const plugin = rewardModel({ ...SMALL, cache: false, ...options })
      const facts = (await plugin.prepare!(prepareContext(arithmeticPolicy(), tempCacheDir()))) as RewardModelFacts
      plugin.dispose?.()
      return facts.auc!
    }
    // The defaults: the model smallModel() trained (the cache option aside, which changes nothing trained).
    const full = (await smallModel()).facts.auc!
    // Seeing only the prompt, r can rank prompts by difficulty but not answers within a prompt.
    expect(await prepare({ features: ['prompt'] })).toBeLessThan(full)
    expect(await prepare({ labelNoise: 0.4 })).toBeLessThan(full)
  })

  it('reports the held-out AUC with a 95% CI that brackets it', async () => {
    const { facts } = await smallModel()
    expect(facts.aucCi).not.toBeNull()
    const [lo, hi] = facts.aucCi!
    expect(lo).toBeLessThan(facts.auc!)
    expect(hi).toBeGreaterThan(facts.auc!)
    expect(hi - lo).toBeLessThan(0.4)
  })

  it('trains and scores without synchronous reads from the device (WebGPU in Node has none)', async () => {
    const plugin = rewardModel({ ...SMALL, cache: false, hidden: 4, maxPrompts: 40 })
    const { items } = await testItems()
    const proto = tf.Tensor.prototype as unknown as Record<'dataSync' | 'arraySync', unknown>
    const saved = { dataSync: proto.dataSync, arraySync: proto.arraySync }
    const forbidden = () => {
      throw new Error('synchronous readback while training or scoring')
    }
    proto.dataSync = forbidden
    proto.arraySync = forbidden
    try {
      await plugin.prepare!(prepareContext(arithmeticPolicy(), tempCacheDir()))
      const verdicts = await plugin.score(items, { concurrency: 1 })
      expect(verdicts).toHaveLength(items.length)
    } finally {
      proto.dataSync = saved.dataSync
      proto.arraySync = saved.arraySync
      plugin.dispose?.()
    }
    // And in the source: no path of the plugin reads synchronously.
    const dir = path.join(import.meta.dirname, '../../plugins/verifiers/reward-model')
    for (const file of ['scorer-net.ts', 'index.ts']) expect(readFileSync(path.join(dir, file), 'utf8')).not.toMatch(/\.(dataSync|arraySync)\(/)
  })

  it("offers a 'strong' preset that beats the default on held-out prompts (seeded)", async () => {
    expect(rewardModel({ strength: 'strong' }).options).toMatchObject({ strength: 'strong', ...strengthPresets.strong })
    // Explicit options win over the preset's.
    expect(rewardModel({ strength: 'strong', hidden: 8 }).options).toMatchObject({ hidden: 8, maxPrompts: strengthPresets.strong.maxPrompts })
    const train = arithmeticProblems(1024, 5, 'big')
    const prepare = async (options: Record<string, unknown>) => {
      const plugin = rewardModel({ ...options, cache: false })
      const facts = (await plugin.prepare!(prepareContext(arithmeticPolicy(), tempCacheDir(), 7, train))) as RewardModelFacts
      plugin.dispose?.()
      return facts
    }
    const plain = await prepare({})
    const strong = await prepare({ strength: 'strong' })
    expect(strong.prompts).toBe(1024)
    expect(strong.auc!).toBeGreaterThan(plain.auc! + 0.02)
    expect(strong.aucCi![1] - strong.aucCi![0]).toBeLessThan(plain.aucCi![1] - plain.aucCi![0])
  }, 60_000)
})
