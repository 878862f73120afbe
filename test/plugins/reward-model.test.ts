import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isBenchError } from '../../core/errors.js'
import type { ModelInstance } from '../../core/plugin-api/model.js'
import type { Problem } from '../../core/plugin-api/task.js'
import type { VerifierPrepareContext, VerifyItem } from '../../core/plugin-api/verifier.js'
import { createRng } from '../../core/rng.js'
import { validatePlugin } from '../../core/registry/validate-plugin.js'
import { mathAnswer } from '../../plugins/verifiers/math-answer/index.js'
import { exactAuc, rewardModel, type RewardModelFacts } from '../../plugins/verifiers/reward-model/index.js'
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

describe('bonbench:reward-model', () => {
  it('is registered as a built-in, passes plugin validation and validates its options', async () => {
    // Imported here so a half-written sibling plugin cannot break the other tests of this file.
    const { builtins } = await import('../helpers/builtin-factories.js')
    const plugin = builtins['reward-model']!({ hidden: 4 })
    expect(validatePlugin(plugin, 'reward-model')).toBe(plugin)
    expect(plugin.name).toBe('bonbench:reward-model')
    expect(plugin.kind).toBe('verifier')
    expect(plugin.options).toMatchObject({ hidden: 4, samplesPerPrompt: 8 })
    for (const bad of [{ hidden: -1 }, { labelNoise: 0.7 }, { features: ['nope'] }, { unknownKnob: 1 }]) {
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
    const cacheDir = tempCacheDir()
    const first = counted(arithmeticPolicy())
    const trained = rewardModel(SMALL)
    const facts = (await trained.prepare!(prepareContext(first.model, cacheDir))) as RewardModelFacts

    expect(first.calls.sample).toBeGreaterThan(0)
    expect(facts.cached).toBe(false)
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
    expect(exactAuc(verdicts.map((v) => v.score), labels)!).toBeGreaterThan(0.6)

    // Same inputs, a new plugin instance: the cache answers, the model is never sampled.
    const second = counted(arithmeticPolicy())
    const loaded = rewardModel(SMALL)
    const replay = (await loaded.prepare!(prepareContext(second.model, cacheDir))) as RewardModelFacts
    expect(second.calls.sample).toBe(0)
    expect(replay.cached).toBe(true)
    expect(replay.hash).toBe(facts.hash)
    expect(replay.auc).toBe(facts.auc)
    expect((await loaded.score(items, { concurrency: 1 })).map((v) => v.score)).toEqual(verdicts.map((v) => v.score))

    // A different base checkpoint is different content: it samples and trains again.
    const other = counted(arithmeticPolicy('arithmetic-policy-v2'))
    const retrained = (await rewardModel(SMALL).prepare!(prepareContext(other.model, cacheDir))) as RewardModelFacts
    expect(other.calls.sample).toBeGreaterThan(0)
    expect(retrained.cached).toBe(false)
    expect(retrained.hash).not.toBe(facts.hash)
    await trained.dispose?.()
    await loaded.dispose?.()
  })

  it('is deterministic for a seed and changes with it', async () => {
    const { items } = await testItems()
    const run = async (seed: number) => {
      const plugin = rewardModel({ ...SMALL, cache: false, maxPrompts: 60 })
      const facts = (await plugin.prepare!(prepareContext(arithmeticPolicy(), tempCacheDir(), seed))) as RewardModelFacts
      const scores = (await plugin.score(items, { concurrency: 1 })).map((v) => v.score)
      await plugin.dispose?.()
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
      await plugin.dispose?.()
      return facts.auc!
    }
    const full = await prepare({})
    // Seeing only the prompt, r can rank prompts by difficulty but not answers within a prompt.
    expect(await prepare({ features: ['prompt'] })).toBeLessThan(full)
    expect(await prepare({ labelNoise: 0.4 })).toBeLessThan(full)
  })
})
