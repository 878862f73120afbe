import * as tf from '@tensorflow/tfjs'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { ModelInstance, ModelPlugin, WeightedSequence } from '../../../core/plugin-api/model.js'
import type { TrainStepLog } from '../../../core/plugin-api/results.js'
import { selectBackend } from '../../../core/backend/select-backend.js'
import { baseModelKey, prepareBaseModel, pretrainingCodeVersions } from '../../../core/run/base-model.js'
import { packageRoot } from '../../../core/package-root.js'
import { tabular, type TabularInstance } from '../../../plugins/models/tabular/index.js'
import { tinyTransformer } from '../../../plugins/models/tiny-transformer/index.js'
import { toy } from '../../../plugins/tasks/toy/index.js'
import { tempDir } from '../../e2e/cli-helper.js'
import { keepBackend } from '../../helpers/keep-backend.js'

keepBackend()

const cache = tempDir('bonbench-base-')
afterAll(() => cache.cleanup())

describe('prepareBaseModel: a cache never changes a result', () => {
  it('a base loaded from the cache replays its pretraining log and fine-tunes exactly as the freshly pretrained one', async () => {
    const task = toy({ prompts: 12 })
    const data = await task.load({ seed: 3 })
    // Adam: the optimizer whose state pretraining leaves behind (and a clone must not take along).
    const model = tabular({ optimizer: 'adam', learningRate: 0.2 })
    const prepare = async () => {
      const logs: TrainStepLog[] = []
      const base = await prepareBaseModel({
        model,
        task,
        data,
        taskSeed: 3,
        pretrainSteps: 4,
        pretrainBatch: 3,
        backend: 'js',
        concurrency: 1,
        cacheDir: join(cache.dir, 'cache'),
        onStep: (log, total) => {
          expect(total).toBe(4)
          logs.push(log)
        },
      })
      return { ...base, logs }
    }
    const cold = await prepare()
    const warm = await prepare()
    expect([cold.cached, warm.cached]).toEqual([false, true])
    expect(warm.key).toBe(cold.key)
    expect(cold.logs.map((l) => l.step)).toEqual([0, 1, 2, 3])
    expect(cold.logs.every((l) => l.loss > 0 && l.gradNorm > 0)).toBe(true)
    expect(warm.logs).toEqual(cold.logs)
    // Fine-tune a clone of each the same way: the same logits after every step.
    const prompts = data.train.slice(0, 4)
    const batch: WeightedSequence[] = prompts.map((p, i) => ({ prompt: p.prompt, completion: p.expert!, weight: i % 2 ? -0.5 : 1 }))
    const tune = async (base: ModelInstance) => {
      const copy = (await base.clone!()) as TabularInstance
      const seen: number[][] = []
      for (let step = 0; step < 3; step++) {
        await copy.update(batch, { klBeta: 0.1 })
        seen.push(...prompts.map((p) => copy.logits(p.prompt)))
      }
      return seen
    }
    expect(await tune(warm.model)).toEqual(await tune(cold.model))
  })

  it("keys a TensorFlow.js model's base by the backend `auto` starts, not by 'auto': weights from two backends are never each other's", async () => {
    const task = toy({ prompts: 12 })
    const data = await task.load({ seed: 4 })
    // The tabular model declared as one that runs on a backend (weights trained on two differ).
    const onBackend = { ...tabular(), usesBackend: true }
    const cacheDir = join(cache.dir, 'by-backend')
    const prepare = (backend: string, model: ModelPlugin = onBackend) =>
      prepareBaseModel({ model, task, data, taskSeed: 4, pretrainSteps: 2, pretrainBatch: 3, backend, concurrency: 1, cacheDir })
    const auto = await prepare('auto')
    const started = (await selectBackend('auto')).name
    const named = await prepare(started)
    const other = await prepare(started === 'cpu' ? 'wasm' : 'cpu')
    expect([auto.cached, named.cached, other.cached]).toEqual([false, true, false])
    expect(named.key).toBe(auto.key)
    expect(other.key).not.toBe(auto.key)
    // A model that runs on no backend keeps the configured name in its key (and starts none for it).
    const plain = await prepare('auto', tabular())
    const plainNamed = await prepare(started, tabular())
    expect(plainNamed.key).not.toBe(plain.key)
  })

  it("leaves out of the key the options a model declares neutral (tiny-transformer's maxWorkers), and only those", async () => {
    const task = toy({ prompts: 12 })
    const data = await task.load({ seed: 4 })
    const key = (options: Parameters<typeof tinyTransformer>[0]) =>
      baseModelKey({ model: tinyTransformer(options), task, data, taskSeed: 4, pretrainSteps: 2, pretrainBatch: 3, backend: 'cpu' })
    const base = key({ width: 16, heads: 2 })
    expect(tinyTransformer().meta.neutralOptions).toEqual(['maxWorkers'])
    expect(key({ width: 16, heads: 2, maxWorkers: 1 })).toBe(base)
    expect(key({ width: 16, heads: 2, maxWorkers: 3 })).toBe(base)
    expect(key({ width: 32, heads: 2, maxWorkers: 3 })).not.toBe(base)
    expect(key({ width: 16, heads: 2, batching: { sampleRows: 8 } })).not.toBe(base)
  })

  it("holds the versions of bonbench and, for a model on a TensorFlow.js backend, TensorFlow.js: an upgrade pretrains anew instead of taking the old code's model", async () => {
    const task = toy({ prompts: 12 })
    const data = await task.load({ seed: 4 })
    const spec = { model: tinyTransformer({ width: 16, heads: 2 }), task, data, taskSeed: 4, pretrainSteps: 2, pretrainBatch: 3, backend: 'cpu' }
    const installed = pretrainingCodeVersions(spec.model)
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
    expect(installed).toEqual({ bonbench: manifest.version, tfjs: tf.version_core })
    expect(baseModelKey(spec)).toBe(baseModelKey(spec, installed))
    expect(baseModelKey(spec, { ...installed, bonbench: '99.0.0' })).not.toBe(baseModelKey(spec))
    expect(baseModelKey(spec, { ...installed, tfjs: '99.0.0' })).not.toBe(baseModelKey(spec))
    // A model that computes on no TensorFlow.js backend: bonbench's version alone.
    expect(pretrainingCodeVersions(tabular())).toEqual({ bonbench: manifest.version })
  })

  it('holds the data files by their bytes, not by where they are: the same file moved keeps the key, other bytes change it', async () => {
    const task = toy({ prompts: 12 })
    const data = await task.load({ seed: 4 })
    const spec = (files: Array<{ path: string; sha256: string }>) => ({
      model: tabular(),
      task,
      data: { ...data, files },
      taskSeed: 4,
      pretrainSteps: 2,
      pretrainBatch: 3,
      backend: 'cpu',
    })
    const here = baseModelKey(spec([{ path: '/home/a/data/test.jsonl', sha256: 'ab'.repeat(32) }]))
    expect(baseModelKey(spec([{ path: '/mnt/shared/test.jsonl', sha256: 'ab'.repeat(32) }]))).toBe(here)
    expect(baseModelKey(spec([{ path: '/home/a/data/test.jsonl', sha256: 'cd'.repeat(32) }]))).not.toBe(here)
  })
})
