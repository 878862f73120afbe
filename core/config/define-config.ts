export { defineConfig } from './types.js'
export type { UserConfig, ConfigEnv, ConfigExport, MatrixConfig, TrainConfig, EvalConfig, PluginRef } from './types.js'
