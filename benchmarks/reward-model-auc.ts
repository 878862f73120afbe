// How to run (no npm script):
//   npx tsx --conditions=bonbench-source benchmarks/reward-model-auc.ts [--config docs/study/study.config.json] [--cache-dir .bench/cache]
//     [--options '{"strength":"strong"}'] [--seed N] [--dump facts.json]
// --seed defaults to the config's taskSeed, the seed `bench run` prepares its selector with;
// --dump writes the printed facts (JSON) to a file. Measurements: docs/study/README.md (Study v2).
// Measures the learned verifier `bonbench:reward-model` on a study-like setup without running a
// matrix: builds (or loads from the cache) the config's pretrained base model, then runs the
// verifier's `prepare` exactly as `bench run` does (same context, same seed), with the verifier's
// own weight cache off, and prints its facts: held-out AUC with its 95% CI (bootstrap over
// held-out prompts, then samples), train AUC, sizes and the prepare time. With the study config
// and a cold cache the base model pretrains first (about 6 minutes on 2 cores); `bench run` with
// the same config and cache dir leaves it there.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { checkTaskData } from '../core/plugin-api-checks/check-task-data.js'
import { baseModelSpec, prepareBaseModel } from '../core/run/base-model.js'
import { resolveRunPlugins } from '../core/run/run-plugins.js'
import { setupRun } from '../core/run/setup.js'
import { createRng, deriveSeed } from '../core/rng.js'
import { rewardModel } from '../plugins/verifiers/reward-model/index.js'
import { builtins } from '../cli/builtins.js'

const { values } = parseArgs({
  options: {
    config: { type: 'string', default: 'docs/study/study.config.json' },
    'cache-dir': { type: 'string', default: '.bench/cache' },
    options: { type: 'string', default: '{}' },
    seed: { type: 'string' },
    dump: { type: 'string' },
  },
})

const setup = await setupRun({ cwd: process.cwd(), configPath: values.config, flags: { cacheDir: values['cache-dir'] }, command: 'run', builtins })
const { config, registry } = setup
const plugins = await resolveRunPlugins(config, registry)
const data = checkTaskData(plugins.task, await plugins.task.load({ seed: config.taskSeed, dataPath: config.data }))
const spec = baseModelSpec(config, plugins.model, plugins.task, data)
const base = await prepareBaseModel({ ...spec, concurrency: 1, cacheDir: config.cacheDir, log: (m) => console.error(m) })
const seed = values.seed === undefined ? config.taskSeed : Number(values.seed)
const options = { ...(JSON.parse(values.options) as Record<string, unknown>), cache: false }
const verifier = rewardModel(options)
const facts = await verifier.prepare!({
  task: data,
  model: base.model,
  reward: plugins.reward,
  seed,
  rng: createRng(deriveSeed(seed, 'selector')),
  cacheDir: config.cacheDir,
  temperature: config.temperatures[0] ?? 1,
  generation: plugins.task.generation ?? {},
  log: (m) => console.error(m),
})
const line = { config: values.config, baseModel: base.key, pretrainSteps: spec.pretrainSteps, options, ...facts }
console.log(JSON.stringify(line))
if (values.dump) writeFileSync(values.dump, JSON.stringify(line, null, 2) + '\n')
verifier.dispose?.()
await base.model.dispose?.()
