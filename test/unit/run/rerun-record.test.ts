import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BACKENDS, isInstalled } from '../../../core/backend/backend-catalog.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { benchInProcess } from '../../e2e/cli-help.js'
import { keepBackend } from '../../helpers/keep-backend.js'
import { journalOf, tempProject, toyRunSetup } from '../../helpers/toy-run.js'
import { runDirOf } from '../../e2e/cli-helper.js'

// `bench rerun` runs what the record says was run, and only a finished run: a shard run's own
// shard (not the whole plan), on the backend `--backend auto` chose when the run started (as
// `bench run --resume` and `bench eval` do), and an unfinished run is refused before any work.

keepBackend()

type Json = Record<string, any>
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8'))
const cellIds = (runDir: string) => journalOf(runDir).flatMap((r) => (r.type === 'cell' ? [r.cellId] : []))

describe('bench rerun runs what the record ran', () => {
  const project = tempProject('bonbench-rerun-record-')
  afterAll(() => project.cleanup())
  beforeAll(() => {
    writeFileSync(
      join(project.dir, 'bench.config.json'),
      JSON.stringify({
        matrix: { task: 'toy', model: 'tabular', strategies: ['rl'], nGrid: [1, 2], seeds: [0] },
        train: { steps: 2, batchPrompts: 2 },
        eval: { testPrompts: 3, bootstrap: 50 },
      }),
    )
  })

  it("reruns a shard run's own shard, and finds it identical", async () => {
    const shard = await benchInProcess(['run', '--shard', '2/2', '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(shard.exitCode, shard.stderr).toBe(0)
    const recorded = runDirOf(shard.stdout)
    expect(cellIds(recorded)).toEqual(['rl-n1-t1-s0'])
    const rerun = await benchInProcess(['rerun', recorded, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0)
    expect(rerun.stdout).toContain('rerun: identical — every metric of all 1 cells is bit-identical')
    const again = runDirOf(rerun.stdout)
    // Only the shard's cell ran (the base cell is shard 1's), and the new run is that shard again.
    expect(cellIds(again)).toEqual(['rl-n1-t1-s0'])
    expect(readJson(join(again, 'run.json')).shard).toEqual(readJson(join(recorded, 'run.json')).shard)
  })

  it('refuses an unfinished run before any work, saying to resume it first; resumed, it reruns', async () => {
    // A run stopped (as Ctrl-C stops it) once its first cell ended: the other cell has no outcome.
    const setup = toyRunSetup(project.dir, { config: { matrix: { strategies: ['rl'] } } })
    const runs = join(project.dir, 'runs')
    const controller = new AbortController()
    const stopped = await runMatrix({ ...setup, cwd: project.dir, signal: controller.signal, listeners: [(e) => e.type === 'cell:end' && controller.abort()] })
    expect(stopped.interrupted).toBe(true)
    const open = readJson(join(stopped.runDir, 'run.json'))
      .cells.map((c: Json) => c.cellId as string)
      .filter((id: string) => !cellIds(stopped.runDir).includes(id))
    expect(open).toHaveLength(1)
    const before = readdirSync(runs).length
    const refused = await benchInProcess(['rerun', stopped.runDir, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain(`the run is not finished (1 of its 2 planned cells have no result: ${open[0]})`)
    expect(refused.stderr).toContain(`finish it first with \`bench run --resume ${stopped.runDir}\``)
    expect(readdirSync(runs).length).toBe(before)
    // What the message says to do works.
    const resumed = await benchInProcess(['run', '--resume', stopped.runDir, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    const rerun = await benchInProcess(['rerun', stopped.runDir, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0)
    expect(rerun.stdout).toContain('rerun: identical — every metric of all 2 cells is bit-identical')
  })

  describe('a run that asked for --backend auto', () => {
    // A model that computes on a TensorFlow.js backend (the toy task, a one-layer tiny-transformer),
    // run on cpu; its record is then made to say `auto` chose cpu, as on a machine where auto picks
    // cpu. Here auto would pick another backend (wasm where installed), whose numbers differ.
    // maxWorkers: 1 samples on the run's own thread (the same completions as in worker threads,
    // which from the sources cost about 0.7 s of CPU each to start: four per run here).
    const tiny = tempProject('bonbench-rerun-backend-')
    let recorded = ''
    afterAll(() => tiny.cleanup())
    beforeAll(async () => {
      writeFileSync(
        join(tiny.dir, 'bench.config.json'),
        JSON.stringify({
          plugins: [
            ['toy', { prompts: 12 }],
            ['tiny-transformer', { layers: 1, width: 16, heads: 2, context: 32, maxWorkers: 1 }],
          ],
          matrix: { task: 'toy', model: 'tiny-transformer', strategies: ['rl'], nGrid: [1, 2], seeds: [1] },
          train: { steps: 2, pretrainSteps: 3, batchPrompts: 2 },
          eval: { testPrompts: 3, bootstrap: 50 },
          backend: 'cpu',
        }),
      )
      const run = await benchInProcess(['run', '--no-tui', '--no-reports'], { cwd: tiny.dir })
      expect(run.exitCode, run.stderr).toBe(0)
      recorded = runDirOf(run.stdout)
      const manifest = readJson(join(recorded, 'run.json'))
      expect(manifest.provenance.backend).toMatchObject({ requested: 'cpu', resolved: 'cpu' })
      manifest.provenance.config.backend = 'auto'
      manifest.provenance.backend.requested = 'auto'
      writeFileSync(join(recorded, 'run.json'), JSON.stringify(manifest, null, 2))
    }, 120_000)

    it('reruns on the backend the run recorded, says so, and finds it identical', async () => {
      const rerun = await benchInProcess(['rerun', recorded, '--no-tui', '--no-reports'], { cwd: tiny.dir })
      expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0)
      expect(rerun.stdout).toContain("note: backend auto recorded: rerunning on cpu, the backend the run's model ran on")
      expect(rerun.stdout).toContain('rerun: identical — every metric of all 2 cells is bit-identical')
      expect(readJson(join(runDirOf(rerun.stdout), 'run.json')).provenance.backend.resolved).toBe('cpu')
    }, 120_000)

    it('refuses, naming the backend, when the recorded one is not installed here', async () => {
      // A backend this machine lacks (tensorflow-gpu on most: its binary is not on npm's registry).
      const missing = BACKENDS.find((b) => !isInstalled(b))
      expect(missing, 'a backend that is not installed here').toBeDefined()
      const elsewhere = join(tiny.dir, 'elsewhere')
      cpSync(recorded, elsewhere, { recursive: true })
      const manifest = readJson(join(elsewhere, 'run.json'))
      manifest.provenance.backend.resolved = missing!.name
      writeFileSync(join(elsewhere, 'run.json'), JSON.stringify(manifest, null, 2))
      const before = readdirSync(join(tiny.dir, '.bench', 'runs')).length
      const refused = await benchInProcess(['rerun', elsewhere, '--no-tui', '--no-reports'], { cwd: tiny.dir })
      expect(refused.exitCode).toBe(2)
      expect(refused.stderr).toContain(`cannot rerun ${elsewhere} as recorded: its model ran on backend ${missing!.name}`)
      expect(refused.stderr).toContain(missing!.install)
      expect(readdirSync(join(tiny.dir, '.bench', 'runs')).length).toBe(before)
    })

    it('says DIFFERENT, naming the step, when a pretraining record differs (a run resumed on another backend)', async () => {
      const mixed = join(tiny.dir, 'mixed')
      cpSync(recorded, mixed, { recursive: true })
      const records = journalOf(mixed)
      const first = records.find((r) => r.type === 'train' && r.cellId === 'pretrain')
      expect(first, 'a pretraining record').toBeDefined()
      if (first?.type === 'train') first.log.loss += 1e-6
      writeFileSync(join(mixed, 'journal.jsonl'), records.map((r) => JSON.stringify(r)).join('\n') + '\n')
      const rerun = await benchInProcess(['rerun', mixed, '--no-tui', '--no-reports'], { cwd: tiny.dir })
      expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(1)
      expect(rerun.stdout).toContain('rerun: DIFFERENT — the pretraining of the base model and 0 of 2 cells differ')
      expect(rerun.stdout).toMatch(/\n {2}pretrain: step\[0\]\.loss: \S+ → \S+\n/)
      expect(readJson(join(runDirOf(rerun.stdout), 'rerun.json')).differingShared).toEqual(['pretrain'])
    }, 120_000)

    describe('that named a backend not installed here', () => {
      // Its record made to say it asked for tensorflow (the tfjs-node binding, not installed here):
      // refused before any run directory is created (exit 2), never a run that fails once its
      // model starts the backend (exit 4) and leaves one behind, with a fix the command takes.
      let named = ''
      beforeAll(() => {
        expect(isInstalled(BACKENDS.find((b) => b.name === 'tensorflow')!), 'tensorflow (tfjs-node) is not installed here').toBe(false)
        named = join(tiny.dir, 'named')
        cpSync(recorded, named, { recursive: true })
        const manifest = readJson(join(named, 'run.json'))
        manifest.provenance.config.backend = 'tensorflow'
        manifest.provenance.backend = { requested: 'tensorflow' }
        writeFileSync(join(named, 'run.json'), JSON.stringify(manifest, null, 2))
      })
      const runs = () => readdirSync(join(tiny.dir, '.bench', 'runs')).length

      it('bench rerun refuses it (exit 2), naming the backend and its install command', async () => {
        const before = runs()
        const refused = await benchInProcess(['rerun', named, '--no-tui', '--no-reports'], { cwd: tiny.dir })
        expect(refused.exitCode, refused.stdout + refused.stderr).toBe(2)
        expect(refused.stderr).toContain(
          `cannot rerun ${named} as recorded: the run asked for backend tensorflow, which is not installed here (npm i @tensorflow/tfjs-node`,
        )
        expect(refused.stderr).toContain('Install it, or rerun where it is installed')
        expect(runs()).toBe(before)
      })

      it('bench eval of its trained cell refuses it (exit 2) with a fix eval takes: --backend', async () => {
        const before = runs()
        const refused = await benchInProcess(['eval', '--checkpoint', join(named, 'checkpoints', 'rl-n1-t1-s1'), '--no-tui', '--no-reports'], {
          cwd: tiny.dir,
        })
        expect(refused.exitCode, refused.stdout + refused.stderr).toBe(2)
        expect(refused.stderr).toContain('the run asked for backend tensorflow, which is not installed here (npm i @tensorflow/tfjs-node')
        expect(refused.stderr).toContain('Install it, or pass --backend to evaluate it on another backend')
        expect(runs()).toBe(before)
      })

      it('bench run --resume refuses it (exit 2) with a fix that works with --resume, its dry run too', async () => {
        for (const dryRun of [[], ['--dry-run']]) {
          const before = runs()
          const refused = await benchInProcess(['run', '--resume', named, ...dryRun, '--no-tui', '--no-reports'], { cwd: tiny.dir })
          expect(refused.exitCode, refused.stdout + refused.stderr).toBe(2)
          expect(refused.stderr).toContain(
            `cannot resume ${named}: the run asked for backend tensorflow, which is not installed here (npm i @tensorflow/tfjs-node`,
          )
          expect(refused.stderr).toContain('Install it and resume, or resume where it is installed')
          expect(refused.stderr).not.toContain('--backend auto')
          expect(runs()).toBe(before)
        }
      })
    })
  })
})
