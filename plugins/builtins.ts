import type { Plugin } from '../core/plugin-api/index.js'
import { gsm8k } from './tasks/gsm8k/index.js'
import { math } from './tasks/math/index.js'
import { math500 } from './tasks/math500/index.js'
import { mathAnswer } from './verifiers/math-answer/index.js'
import { lineReporter } from './reporters/line/index.js'

/** A built-in plugin factory: takes the user's options, validates them, returns the plugin object. */
export type PluginFactory = (options?: Record<string, unknown>) => Plugin

/**
 * Built-in plugins: short name → factory (a map, never an if-chain). The registry names them
 * `bonbench:<short name>`; users refer to them by the short name.
 */
export const builtins: Record<string, PluginFactory> = {
  math,
  math500,
  gsm8k,
  'math-answer': mathAnswer,
  line: lineReporter,
}
