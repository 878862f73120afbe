import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { BenchError, isBenchError } from '../errors.js'
import { withImportDeadline } from '../import-deadline.js'
import { moduleLoadHint } from '../module-load-hints.js'
import { importModule } from '../import-module.js'
import { stripBom, UTF16_FIX, utf16Sign } from '../text-encoding.js'
import { formatConfigIssues, userConfigSchema } from './schema.js'
import type { ConfigEnv, UserConfig } from './types.js'

/** Config file names looked for in the working directory, in order. */
export const CONFIG_FILES = ['bench.config.ts', 'bench.config.mjs', 'bench.config.js', 'bench.config.json']

/** A loaded, validated (not yet resolved) config and the file it came from. */
export interface LoadedConfig {
  config: UserConfig
  /** Absolute path of the config file; undefined when none was found. */
  file?: string
}

/**
 * Finds and loads the config: `configPath` when given (it must exist), else the first of
 * CONFIG_FILES in `cwd`, else an empty config. Validates it strictly: unknown keys and bad values
 * are a BENCH_CONFIG_INVALID error naming the file and every problem.
 */
export async function loadConfigFile(opts: { cwd: string; configPath?: string; env: ConfigEnv }): Promise<LoadedConfig> {
  let file: string | undefined
  if (opts.configPath) {
    file = resolve(opts.cwd, opts.configPath)
    if (!existsSync(file)) {
      throw new BenchError(
        'BENCH_CONFIG_NOT_FOUND',
        `Config file ${file} does not exist (given by --config). Check the path, or drop --config to use ${CONFIG_FILES.join(', ')} from the working directory.`,
      )
    }
  } else {
    file = CONFIG_FILES.map((name) => resolve(opts.cwd, name)).find((candidate) => existsSync(candidate))
  }
  if (!file) return { config: {} }
  const raw = await readConfig(file, opts.env)
  return { config: validateUserConfig(raw, file), file }
}

/** Validates a config object; `where` names it in errors. */
export function validateUserConfig(raw: unknown, where: string): UserConfig {
  const parsed = userConfigSchema.safeParse(raw)
  if (!parsed.success) {
    throw new BenchError('BENCH_CONFIG_INVALID', `Invalid config in ${where}:\n  ${formatConfigIssues(parsed.error)}`)
  }
  return raw as UserConfig
}

async function readConfig(file: string, env: ConfigEnv): Promise<unknown> {
  if (file.endsWith('.json')) {
    const bytes = readFileSync(file)
    if (utf16Sign(bytes) !== undefined) throw new BenchError('BENCH_CONFIG_INVALID', `Config file ${file} ${UTF16_FIX}.`)
    try {
      // An editor's UTF-8 byte-order mark is invisible, and JSON.parse would stop at it.
      return JSON.parse(stripBom(bytes.toString('utf8')))
    } catch (error) {
      throw new BenchError('BENCH_CONFIG_INVALID', `Config file ${file} is not valid JSON: ${(error as Error).message}`, { cause: error })
    }
  }
  let mod: { default?: unknown }
  try {
    mod = (await withImportDeadline(importModule(file), `the config file ${file}`)) as { default?: unknown }
  } catch (error) {
    if (isBenchError(error)) throw error
    throw new BenchError(
      'BENCH_CONFIG_INVALID',
      `Config file ${file} failed to load: ${(error as Error).message.replace(/\.$/, '')}.${moduleLoadHint(file, error)}`,
      { cause: error },
    )
  }
  let exported = mod.default
  if (exported === undefined) {
    throw new BenchError('BENCH_CONFIG_INVALID', `Config file ${file} has no default export. Write: export default defineConfig({ ... })`)
  }
  // A config function (or its promise) that throws is the file's error, not bonbench's.
  try {
    if (typeof exported === 'function') exported = (exported as (e: ConfigEnv) => unknown)(env)
    return await withImportDeadline(Promise.resolve(exported), `the config of ${file}`)
  } catch (error) {
    if (isBenchError(error)) throw error
    const message = error instanceof Error ? error.message.replace(/\.$/, '') : String(error)
    throw new BenchError(
      'BENCH_CONFIG_INVALID',
      `Config file ${file}: its exported config function threw: ${message}. Fix the function (it is called with { command, preset }).`,
      {
        cause: error,
      },
    )
  }
}
