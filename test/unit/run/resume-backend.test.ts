import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ModelPlugin } from '../../../core/plugin-api/model.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { tabular } from '../../../plugins/models/tabular/index.js'
import { tempProject, toyRunSetup } from '../../helpers/toy-run.js'

// A resumed run computes on the backend its first part ran on (core/run/manifest.ts,
// onRecordedBackend): `--backend auto` picks by what the machine has, so resumed elsewhere or
// later it could pick another backend, whose numbers differ in their last digits.

const cleanups: Array<() => void> = []
afterEach(() => cleanups.splice(0).forEach((c) => c()))

/**
 * The tabular model under another name, as a model that runs on a TensorFlow.js backend would
 * look (its `usesBackend` left undeclared, so no backend starts here): it reports the backend it
 * was created or loaded for, and `auto` as 'cpu' (what auto would have picked). `created` lists
 * those backends, in order (`load:` for an instance loaded from a checkpoint or the cache).
 */
function backendEcho(): { plugin: ModelPlugin; created: string[] } {
  const inner = tabular()
  const created: string[] = []
  const echo = (backend: string, instance: Awaited<ReturnType<ModelPlugin['create']>>) => ({
    ...instance,
    describe: () => ({ ...instance.describe(), backend: backend === 'auto' ? 'cpu' : backend }),
  })
  const plugin: ModelPlugin = {
    ...inner,
    name: 'lab/backend-echo',
    usesBackend: undefined,
    async create(ctx) {
      created.push(ctx.backend ?? 'auto')
      return echo(ctx.backend ?? 'auto', await inner.create(ctx))
    },
    async load(dir, ctx) {
      created.push(`load:${ctx.backend ?? 'auto'}`)
      return echo(ctx.backend ?? 'auto', await inner.load!(dir, ctx))
    },
    async loadResumable(dir, ctx) {
      created.push(`load:${ctx.backend ?? 'auto'}`)
      return echo(ctx.backend ?? 'auto', await (inner.loadResumable ?? inner.load)!(dir, ctx))
    },
  }
  return { plugin, created }
}

/** A toy run of two cells on the echo model, stopped (as Ctrl-C stops it) once its first cell ended. */
async function stoppedRun(): Promise<{ dir: string; runDir: string; setup: ReturnType<typeof toyRunSetup>; created: string[] }> {
  const project = tempProject()
  cleanups.push(project.cleanup)
  const { plugin, created } = backendEcho()
  const setup = toyRunSetup(project.dir, { plugins: [plugin], config: { matrix: { model: 'lab/backend-echo', strategies: ['rl'] } } })
  expect(setup.config.backend).toBe('auto')
  const controller = new AbortController()
  const stopped = await runMatrix({ ...setup, signal: controller.signal, listeners: [(e) => e.type === 'cell:end' && controller.abort()] })
  expect(stopped.interrupted).toBe(true)
  return { dir: project.dir, runDir: stopped.runDir, setup, created }
}

const manifestOf = (runDir: string) => JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { provenance: { backend: Record<string, string> } }

describe('--resume of a run started with --backend auto', () => {
  it('goes on with the backend the run recorded, not what auto would pick now', async () => {
    const run = await stoppedRun()
    expect(run.created).toEqual(['auto'])
    expect(manifestOf(run.runDir).provenance.backend).toMatchObject({ requested: 'auto', resolved: 'cpu' })
    // The first part ran on wasm (as another machine's auto might have picked): the rest must too.
    const manifest = manifestOf(run.runDir)
    manifest.provenance.backend.resolved = 'wasm'
    writeFileSync(join(run.runDir, 'run.json'), JSON.stringify(manifest, null, 2))
    const logs: string[] = []
    const resumed = await runMatrix({ ...run.setup, resumeDir: run.runDir, listeners: [(e) => e.type === 'log' && logs.push(e.message)] })
    expect(resumed.interrupted).toBe(false)
    expect(resumed.results.map((r) => r.cellId).sort()).toEqual(['base-n1-t1-s1', 'rl-n1-t1-s1'])
    expect(run.created.slice(1).length).toBeGreaterThan(0)
    expect(run.created.slice(1).map((b) => b.replace('load:', ''))).toEqual(run.created.slice(1).map(() => 'wasm'))
    // Nothing to warn about: the resumed part ran where the first part did.
    expect(logs.filter((l) => l.includes('recorded on backend'))).toEqual([])
    expect(manifestOf(run.runDir).provenance.backend).toMatchObject({ requested: 'auto', resolved: 'wasm' })
  })

  it('is refused, naming the backend and how to install it, when that backend is not installed here', async () => {
    const run = await stoppedRun()
    const manifest = manifestOf(run.runDir)
    manifest.provenance.backend.resolved = 'tensorflow-gpu'
    writeFileSync(join(run.runDir, 'run.json'), JSON.stringify(manifest, null, 2))
    const journal = readFileSync(join(run.runDir, 'journal.jsonl'), 'utf8')
    await expect(runMatrix({ ...run.setup, resumeDir: run.runDir })).rejects.toMatchObject({
      code: 'BENCH_BACKEND_UNAVAILABLE',
      message: expect.stringMatching(
        /^cannot resume .+: its model ran on backend tensorflow-gpu \(what --backend auto chose when the run started\), which is not installed here \(npm i @tensorflow\/tfjs-node-gpu.*\)\. Install it or resume where it runs/,
      ),
    })
    // Refused before anything ran: the journal is as it was.
    expect(readFileSync(join(run.runDir, 'journal.jsonl'), 'utf8')).toBe(journal)
    expect(run.created).toEqual(['auto'])
  })

  it('keeps auto for a run that recorded no backend (stopped before its base model existed)', async () => {
    const run = await stoppedRun()
    const manifest = manifestOf(run.runDir)
    delete manifest.provenance.backend.resolved
    writeFileSync(join(run.runDir, 'run.json'), JSON.stringify(manifest, null, 2))
    await runMatrix({ ...run.setup, resumeDir: run.runDir })
    expect(run.created.slice(1).length).toBeGreaterThan(0)
    expect(run.created.slice(1).map((b) => b.replace('load:', ''))).toEqual(run.created.slice(1).map(() => 'auto'))
  })
})
