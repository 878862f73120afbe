import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import type { ReporterPlugin } from '../plugin-api/reporter.js'
import { ContractCollector, LIFECYCLE_CHECKS, SHAPE_CHECKS, within, type ContractReport } from './contract-report.js'
import { checkPluginShape, pluginLabel } from './plugin-shape.js'
import { LifecycleHarness } from './lifecycle-checks.js'
import { emptyRunManifest, sampleRunEvents } from './sample-events.js'

/** The check ids of {@link checkReporterContract}: what `skip` may name. */
export const REPORTER_CHECKS = [...SHAPE_CHECKS, ...LIFECYCLE_CHECKS, 'on-event', 'events-untouched', 'run-end-empty'] as const

/** Settings of {@link checkReporterContract}. */
export interface ReporterContractOptions {
  /** Check ids to leave out (reported as skipped). */
  skip?: readonly string[]
  /**
   * The run directory handed to the reporter (default: a fresh temporary folder holding a minimal
   * `run.json` and an empty journal, removed afterwards).
   */
  runDir?: string
  /** Longest one hook call may take (default 60 000 ms). */
  timeoutMs?: number
}

/**
 * The reporter contract (core/plugin-api/reporter.ts): `onEvent` accepts one sample of every
 * RunEvent type, in run order, without throwing and without changing the events (other reporters
 * see the same objects); `onRunEnd` copes with a run that finished no cell (empty results, empty
 * journal), interrupted or not. Never throws for a broken plugin.
 */
export async function checkReporterContract(plugin: ReporterPlugin, opts: ReporterContractOptions = {}): Promise<ContractReport> {
  const collector = new ContractCollector(pluginLabel(plugin), 'reporter', new Set(opts.skip))
  collector.checkLeaveOut(REPORTER_CHECKS)
  if (!(await checkPluginShape(plugin, 'reporter', collector))) return collector.report()
  const timeoutMs = opts.timeoutMs ?? 60_000
  const life = new LifecycleHarness(plugin, collector, opts.timeoutMs ?? 60_000)
  if (!(await life.start())) {
    await life.end()
    return collector.report()
  }
  try {
    const ownDir = opts.runDir ? undefined : await mkdtemp(path.join(tmpdir(), 'bonbench-reporter-contract-'))
    const runDir = opts.runDir ?? ownDir!
    try {
      if (ownDir) {
        await writeFile(path.join(runDir, 'run.json'), `${JSON.stringify(emptyRunManifest('contract'), null, 2)}\n`)
        await writeFile(path.join(runDir, 'journal.jsonl'), '')
      }
      if (typeof plugin.onEvent === 'function') {
        const events = sampleRunEvents(runDir)
        const snapshot = structuredClone(events)
        await collector.run('on-event', async (fail) => {
          for (const event of events) {
            try {
              await within(timeoutMs, `onEvent(${event.type})`, plugin.onEvent!(event))
            } catch (error) {
              fail(`onEvent threw for a '${event.type}' event (${(error as Error)?.message ?? String(error)}): reporters must not throw`)
            }
          }
        })
        await collector.run('events-untouched', (fail) => {
          events.forEach((event, i) => {
            if (!isDeepStrictEqual(event, snapshot[i]))
              fail(`onEvent changed the '${snapshot[i]!.type}' event it was given: other reporters and the UI see the same object`)
          })
        })
      } else {
        collector.skip('on-event', 'the reporter has no onEvent()')
      }
      if (typeof plugin.onRunEnd === 'function') {
        await collector.run('run-end-empty', async (fail) => {
          for (const interrupted of [false, true]) {
            try {
              await within(timeoutMs, 'onRunEnd()', plugin.onRunEnd!({ runDir, results: [], interrupted }))
            } catch (error) {
              fail(
                `onRunEnd with no finished cell${interrupted ? ' (interrupted)' : ''} threw ${(error as Error)?.message ?? String(error)}: a run stopped before any cell ended must still report`,
              )
            }
          }
        })
      } else {
        collector.skip('run-end-empty', 'the reporter has no onRunEnd()')
      }
    } finally {
      if (ownDir) await rm(ownDir, { recursive: true, force: true })
    }
  } finally {
    await life.end()
  }
  return collector.report()
}
