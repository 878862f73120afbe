import type { Command } from 'commander'
import { EXIT } from '../exit-codes.js'
import { availableParallelism, cpus, totalmem } from 'node:os'
import { BACKEND_NAMES, BACKENDS, isInstalled } from '../../core/backend/backend-catalog.js'
import { PROBE_TIMEOUT_MS, probeBackend } from '../../core/backend/probe-backend.js'
import type { BackendProbe } from '../../core/backend/probe-backend.js'
import { selectBackend } from '../../core/backend/select-backend.js'
import { addExamples } from '../option-vocabulary.js'
import { choiceFlag } from '../parse-list.js'

/** What `bench env` reports (also its --json output). */
export interface EnvReport {
  node: string
  platform: string
  cpu: string
  cores: number
  memoryGiB: number
  /** Every backend; an installed one was started for real (`start`), each in a thread of its own. */
  backends: Array<{ name: string; installed: boolean; device: string; install: string; start?: BackendProbe }>
  chosen: { name: string; device: string } | { error: string }
}

/**
 * Gathers the machine facts, starts every installed backend for real (each in its own thread, all
 * at once, each given `probeTimeoutMs`), then starts the requested one (auto by default) here to
 * see which one a run would use. A backend whose probe did not answer in time is never started
 * here (in this thread a start that hangs could not be abandoned, and `bench env` would never
 * exit): named, it is reported as not chosen; under `auto`, the first backend of its order whose
 * probe did answer is started instead.
 */
export async function collectEnv(backend = 'auto', probeTimeoutMs = PROBE_TIMEOUT_MS): Promise<EnvReport> {
  const backends: EnvReport['backends'] = await Promise.all(
    BACKENDS.map(async (spec) => {
      const installed = isInstalled(spec)
      const entry = { name: spec.name, installed, device: spec.device, install: spec.install }
      return installed ? { ...entry, start: await probeBackend(spec.name, probeTimeoutMs) } : entry
    }),
  )
  let chosen: EnvReport['chosen']
  const hung = backends.flatMap((b) => (b.start?.state === 'timeout' ? [b] : []))
  try {
    const named = hung.find((b) => b.name === backend)
    if (named)
      throw new Error(`backend '${backend}' did not start within ${named.start!.ms} ms in its probe (a GPU adapter that never answers?); not started here`)
    // `auto` without the backends that hung: the first of its order that answered (a failure goes further, as in a run).
    const skip = Object.fromEntries(hung.map((b) => [b.name, `did not start within ${b.start!.ms} ms in its probe`]))
    const selected = await selectBackend(backend, { skip })
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
    backends,
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
    const name = b.name.padEnd(15)
    const start = b.start
    if (!b.installed || !start) lines.push(`  · ${name} not installed — ${b.install}`)
    else if (start.state === 'started') {
      lines.push(`  ✓ ${name} ${b.device}, started in ${start.ms} ms`)
      const a = start.adapter
      if (a) {
        const limits = Object.entries(a.limits)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
        lines.push(`    ${''.padEnd(15)} adapter: ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' ') || 'unnamed'}; ${limits}`)
      }
    } else if (start.state === 'timeout') lines.push(`  ✗ ${name} installed, but did not start within ${start.ms} ms`)
    else lines.push(`  ✗ ${name} installed, but failed to start: ${start.error}`)
  }
  lines.push('')
  lines.push('error' in report.chosen ? `chosen    none: ${report.chosen.error}` : `chosen    ${report.chosen.name} — ${report.chosen.device}`)
  return lines.join('\n') + '\n'
}

/** Registers `bench env`: the backends available here, the one a run would use, the core count. */
export function registerEnv(program: Command): void {
  const command = program
    .command('env')
    .description('show the machine: core count, TensorFlow.js backends installed, and the backend a run would use')
    .option('--backend <name>', `backend to try: ${BACKEND_NAMES.join(', ')}`, choiceFlag('--backend', BACKEND_NAMES), 'auto')
    .option('--json', 'print the report as JSON')
  addExamples(command, ['bench env', 'bench env --backend wasm --json']).action(async (opts: { backend: string; json?: boolean }) => {
    const report = await collectEnv(opts.backend)
    process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatEnv(report))
    if ('error' in report.chosen && opts.backend !== 'auto') process.exitCode = EXIT.checkFailed
  })
}
