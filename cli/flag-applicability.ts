import type { Command } from 'commander'
import type { ResolvedConfig } from '../core/config/resolve-config.js'
import { BenchError } from '../core/errors.js'
import type { PluginRegistry } from '../core/registry/registry.js'

/** The flags given on the command line (not defaults), as written: `--n`, `--temperatures`, … */
function givenFlags(command: Command, except: ReadonlySet<string>): string[] {
  return command.options
    .filter((o) => command.getOptionValueSource(o.attributeName()) === 'cli' && !except.has(o.attributeName()))
    .map((o) => o.long ?? o.short ?? o.attributeName())
}

/** What `--resume` may be combined with: it reuses the run's recorded config, so nothing else applies. */
const RESUME_ALLOWS = new Set(['resume', 'tui', 'reports', 'dryRun', 'queue'])

/**
 * `bench run --resume <dir>` runs with the config recorded in the run directory: a task or a
 * config flag given beside it would be ignored, so it is a usage error naming them.
 */
export function refuseWithResume(command: Command, task: string | undefined): void {
  const given = givenFlags(command, RESUME_ALLOWS)
  if (task !== undefined) given.unshift(`the task '${task}'`)
  if (given.length > 0) {
    throw new BenchError(
      'BENCH_USAGE',
      `--resume continues a run with its recorded config, so ${given.join(', ')} would be ignored; drop ${given.length > 1 ? 'them' : 'it'}, or start a new run without --resume.`,
    )
  }
}

/**
 * `--backend` names a TensorFlow.js backend: given for a model that declares it runs on none
 * (`usesBackend: false`, e.g. tabular), it would be ignored, so it is a usage error.
 */
export async function checkBackendApplies(command: Command, config: ResolvedConfig, registry: PluginRegistry): Promise<void> {
  if (command.getOptionValueSource('backend') !== 'cli') return
  const model = await registry.get('model', config.model)
  if (model.usesBackend === false) {
    throw new BenchError(
      'BENCH_USAGE',
      `--backend does not apply to the model ${model.name}: it runs on no TensorFlow.js backend. Drop --backend, or choose a model that uses one (e.g. --model tiny-transformer).`,
    )
  }
}
