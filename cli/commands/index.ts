import type { Command } from 'commander'

/** A CLI command module: adds one command (with its --help) to the program. */
export type RegisterCommand = (program: Command) => void

/**
 * Every command by name, in the order `bench --help` lists them; each module lives beside this
 * file, is named after its command, and is imported only when needed: `bench verify …` loads
 * verify.ts alone, `bench --help` loads them all (createProgram in cli/program.ts).
 */
export const commands: Record<string, () => Promise<RegisterCommand>> = {
  run: async () => (await import('./run.js')).registerRun,
  eval: async () => (await import('./eval.js')).registerEval,
  list: async () => (await import('./list.js')).registerList,
  env: async () => (await import('./env.js')).registerEnv,
  report: async () => (await import('./report.js')).registerReport,
  worker: async () => (await import('./worker.js')).registerWorker,
  queue: async () => (await import('./queue.js')).registerQueue,
  merge: async () => (await import('./merge.js')).registerMerge,
  rerun: async () => (await import('./rerun.js')).registerRerun,
  compare: async () => (await import('./compare.js')).registerCompare,
  score: async () => (await import('./score.js')).registerScore,
  verify: async () => (await import('./verify.js')).registerVerify,
  serve: async () => (await import('./serve.js')).registerServe,
  weights: async () => (await import('./weights.js')).registerWeights,
  findings: async () => (await import('./findings.js')).registerFindings,
  'create-plugin': async () => (await import('./create-plugin.js')).registerCreatePlugin,
}
