import type { Plugin } from '../core/plugin-api/index.js'
import { gsm8k } from './tasks/gsm8k/index.js'
import { math } from './tasks/math/index.js'
import { math500 } from './tasks/math500/index.js'
import { mathAnswer } from './verifiers/math-answer/index.js'
import { jsSandbox } from './verifiers/js-sandbox/index.js'
import { command } from './verifiers/command/index.js'
import { pythonSandbox } from './verifiers/python-sandbox/index.js'
import { humanevalJs } from './tasks/humaneval-js/index.js'
import { humaneval } from './tasks/humaneval/index.js'
import { rewardModel } from './verifiers/reward-model/index.js'
import { lineReporter } from './reporters/line/index.js'
import { jsonReporter } from './reporters/json/index.js'
import { markdownReporter } from './reporters/markdown/index.js'
import { htmlReporter } from './reporters/html/index.js'
import { tabular } from './models/tabular/index.js'
import { tinyTransformer } from './models/tiny-transformer/index.js'
import { toy } from './tasks/toy/index.js'
import { toyAnswer } from './verifiers/toy-answer/index.js'
import { sft } from './strategies/sft.js'
import { rl } from './strategies/rl.js'
import { bonSft } from './strategies/bon-sft.js'
import { bonRl } from './strategies/bon-rl.js'
import { bonRlV } from './strategies/bon-rl-v.js'
import { bonRlS } from './strategies/bon-rl-s.js'
import { bonRlb } from './strategies/bon-rlb.js'
import { bonRlbP } from './strategies/bon-rlb-p.js'
import { vbon } from './strategies/vbon.js'
import { bond } from './strategies/bond.js'
import { passAtK } from './strategies/pass-at-k.js'

/** A built-in plugin factory: takes the user's options, validates them, returns the plugin object. */
export type PluginFactory = (options?: Record<string, unknown>) => Plugin

/**
 * Built-in plugins: short name → factory (a map, never an if-chain). The registry names them
 * `bonbench:<short name>`; users refer to them by the short name.
 */
export const builtins: Record<string, PluginFactory> = {
  tabular,
  'tiny-transformer': tinyTransformer,
  toy,
  'toy-answer': toyAnswer,
  sft,
  rl,
  'bon-sft': bonSft,
  'bon-rl': bonRl,
  'bon-rl-v': bonRlV,
  'bon-rl-s': bonRlS,
  'bon-rlb': bonRlb,
  'bon-rlb-p': bonRlbP,
  vbon,
  bond,
  'pass-at-k': passAtK,
  math,
  math500,
  gsm8k,
  'math-answer': mathAnswer,
  'js-sandbox': jsSandbox,
  command,
  'python-sandbox': pythonSandbox,
  'humaneval-js': humanevalJs,
  humaneval,
  'reward-model': rewardModel,
  line: lineReporter,
  json: jsonReporter,
  markdown: markdownReporter,
  html: htmlReporter,
}
