import type { Command } from 'commander'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { BACKEND_NAMES, BACKENDS, isInstalled } from '../../backend/backend-catalog.js'
import { BenchError } from '../../errors.js'
import { selectBackend } from '../../backend/select-backend.js'

/** What `bench env` reports (also its --json output). */
export interface EnvReport {
  node: string
  platform: string
  cpu: string
  cores: number
  memoryGiB: number
  backends: Array<{ name: string; installed: boolean; device: string; install: string }>
  chosen: { name: string; device: string } | { error: string }
}

/** Gathers the machine facts and starts the requested backend (auto by default) to see which one wins. */
export async function collectEnv(backend = 'auto'): Promise<EnvReport> {
  let chosen: EnvReport['chosen']
  try {
    const selected = await selectBackend(backend)
    chosen = { name: selected.name, device: selected.device }
  } catch (error) {
    chosen = { error: (error as Error).message }
  }
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    backends: BACKENDS.map((spec) => ({ name: spec.name, installed: isInstalled(spec), device: spec.device, install: spec.install })),
    chosen,
  }
}

function formatEnv(report: EnvReport): string {
  const lines = [
    `node      ${report.node} (${report.platform})`,
    `cpu       ${report.cpu}`,
    `cores     ${report.cores}`,
    `memory    ${report.memoryGiB} GiB`,
    '',
    'backends',
  ]
  for (const b of report.backends) {
    lines.push(`  ${b.installed ? '✓' : '·'} ${b.name.padEnd(15)} ${b.installed ? b.device : `not installed — ${b.install}`}`)
  }
  lines.push('')
  lines.push('error' in report.chosen ? `chosen    none: ${report.chosen.error}` : `chosen    ${report.chosen.name} — ${report.chosen.device}`)
  return lines.join('\n') + '\n'
}

/** Registers `bench env`: the backends available here, the one a run would use, the core count. */
export function registerEnv(program: Command): void {
  program
    .command('env')
    .description('show the machine: core count, TensorFlow.js backends installed, and the backend a run would use')
    .option('--backend <name>', 'backend to try: auto|wasm|cpu|tensorflow|tensorflow-gpu|webgpu', 'auto')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { backend: string; json?: boolean }) => {
      if (!(BACKEND_NAMES as readonly string[]).includes(opts.backend)) {
        throw new BenchError('BENCH_USAGE', `unknown backend '${opts.backend}'; use one of ${BACKEND_NAMES.join(', ')}`)
      }
      const report = await collectEnv(opts.backend)
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatEnv(report))
      if ('error' in report.chosen && opts.backend !== 'auto') process.exitCode = 1
    })
}
