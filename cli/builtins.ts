import type { BuiltinPlugins } from '../core/registry/builtin-plugins.js'

/**
 * bonbench's built-in plugins: short name → kind and a loader of the factory (a map, never an
 * if-chain). Each module is imported the first time a run or a command names it, so the CLI loads
 * only the plugins it uses (TensorFlow.js and isolated-vm only when a model or verifier needs
 * them). The composition root hands this map to the core (`new PluginRegistry({ builtins })`,
 * `setupRun({ builtins })`); the core itself imports no plugin.
 */
export const builtins: BuiltinPlugins = {
  tabular: { kind: 'model', load: async () => (await import('../plugins/models/tabular/index.js')).tabular },
  replay: { kind: 'model', load: async () => (await import('../plugins/models/replay/index.js')).replay },
  'tiny-transformer': { kind: 'model', load: async () => (await import('../plugins/models/tiny-transformer/index.js')).tinyTransformer },
  'openai-compatible': {
    kind: 'model',
    load: async () => (await import('../plugins/models/openai-compatible/index.js')).openAiCompatible,
  },
  toy: { kind: 'task', load: async () => (await import('../plugins/tasks/toy/index.js')).toy },
  'toy-answer': { kind: 'verifier', load: async () => (await import('../plugins/verifiers/toy-answer/index.js')).toyAnswer },
  sft: { kind: 'strategy', load: async () => (await import('../plugins/strategies/sft.js')).sft },
  rl: { kind: 'strategy', load: async () => (await import('../plugins/strategies/rl.js')).rl },
  'bon-sft': { kind: 'strategy', load: async () => (await import('../plugins/strategies/bon-sft.js')).bonSft },
  'bon-rl': { kind: 'strategy', load: async () => (await import('../plugins/strategies/bon-rl.js')).bonRl },
  'bon-rl-v': { kind: 'strategy', load: async () => (await import('../plugins/strategies/bon-rl-v.js')).bonRlV },
  'bon-rl-s': { kind: 'strategy', load: async () => (await import('../plugins/strategies/bon-rl-s.js')).bonRlS },
  'bon-rlb': { kind: 'strategy', load: async () => (await import('../plugins/strategies/bon-rlb.js')).bonRlb },
  'bon-rlb-p': { kind: 'strategy', load: async () => (await import('../plugins/strategies/bon-rlb-p.js')).bonRlbP },
  vbon: { kind: 'strategy', load: async () => (await import('../plugins/strategies/vbon.js')).vbon },
  bond: { kind: 'strategy', load: async () => (await import('../plugins/strategies/bond.js')).bond },
  'pass-at-k': { kind: 'strategy', load: async () => (await import('../plugins/strategies/pass-at-k.js')).passAtK },
  math: { kind: 'task', load: async () => (await import('../plugins/tasks/math/index.js')).math },
  math500: { kind: 'task', load: async () => (await import('../plugins/tasks/math500/index.js')).math500 },
  gsm8k: { kind: 'task', load: async () => (await import('../plugins/tasks/gsm8k/index.js')).gsm8k },
  'math-answer': { kind: 'verifier', load: async () => (await import('../plugins/verifiers/math-answer/index.js')).mathAnswer },
  'js-sandbox': { kind: 'verifier', load: async () => (await import('../plugins/verifiers/js-sandbox/index.js')).jsSandbox },
  command: { kind: 'verifier', load: async () => (await import('../plugins/verifiers/command/index.js')).command },
  'python-sandbox': { kind: 'verifier', load: async () => (await import('../plugins/verifiers/python-sandbox/index.js')).pythonSandbox },
  'humaneval-js': { kind: 'task', load: async () => (await import('../plugins/tasks/humaneval-js/index.js')).humanevalJs },
  humaneval: { kind: 'task', load: async () => (await import('../plugins/tasks/humaneval/index.js')).humaneval },
  'sample-dump': { kind: 'task', load: async () => (await import('../plugins/tasks/sample-dump/index.js')).sampleDump },
  recorded: { kind: 'verifier', load: async () => (await import('../plugins/verifiers/recorded/index.js')).recorded },
  mbpp: { kind: 'task', load: async () => (await import('../plugins/tasks/mbpp/index.js')).mbpp },
  'reward-model': { kind: 'verifier', load: async () => (await import('../plugins/verifiers/reward-model/index.js')).rewardModel },
  line: { kind: 'reporter', load: async () => (await import('../plugins/reporters/line/index.js')).lineReporter },
  json: { kind: 'reporter', load: async () => (await import('../reports/reporters/json.js')).jsonReporter },
  markdown: { kind: 'reporter', load: async () => (await import('../reports/reporters/markdown.js')).markdownReporter },
  html: { kind: 'reporter', load: async () => (await import('../reports/reporters/html.js')).htmlReporter },
}
