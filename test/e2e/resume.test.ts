import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { KILL_AFTER_RECORDS_ENV, readJournal } from '../../core/run/journal.js'
import { compareJournals, formatDifference, normalisedJournal } from '../helpers/compare-journals.js'
import { EVAL_EVERY_RECORDS, onlyJournal, tinyMathArgs, writeTinyMathConfig } from '../helpers/tiny-math-run.js'
import { evalJournal, evaluated } from '../helpers/eval-journal.js'
import { bench, tempDir, type BenchResult } from './cli-helper.js'

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean)

// Issue 12 §2: the same command from a cold and a warm cache, and with one sampling thread or
// two, must journal the same records: only wall times and paths may differ. Whether the learned
// verifier came from the cache is said in the log, never in a record (a queue worker that retries a
// killed base job finds the reward model cached, and its run must journal what a cold one does).
// The cache tests, both kill tests and the checkpoint evaluation below share one project and two
// runs of the shrunk command, each made once: from a cold cache with one sampling thread, and its
// train.evalEvery twin from the cache that one filled (the journals the kills are held to).
const project = tempDir('bonbench-cache-')
afterAll(() => project.cleanup())
writeTinyMathConfig(project.dir)
const run = (runsDir: string, cacheDir: string, concurrency: number) => bench(tinyMathArgs({ runsDir, cacheDir, concurrency }), { cwd: project.dir })
let coldRun: Promise<BenchResult> | undefined
/** The run from a cold cache ('cache'), sampling in-process (concurrency 1): made on first use. */
const coldRunOnce = () => (coldRun ??= run('cold', 'cache', 1))
let evalEveryRun: Promise<BenchResult> | undefined
/** The same command with train.evalEvery: 1 (eval-every.json), from the cache the cold run filled, writing its reports: made on first use. */
const evalEveryRunOnce = () =>
  (evalEveryRun ??= coldRunOnce().then(() => {
    writeTinyMathConfig(project.dir, { evalEvery: 1, file: 'eval-every.json' })
    const args = tinyMathArgs({ runsDir: 'eval-every', cacheDir: 'cache', concurrency: 1 }).filter((a) => a !== '--no-reports')
    return bench([...args, '--config', 'eval-every.json'], { cwd: project.dir })
  }))

describe('a cache or a worker count never changes a result (bench run, journals record by record)', () => {
  it('cold cache vs warm cache: the second run loads the pretrained base and journals the same records', async () => {
    const cold = await coldRunOnce()
    expect(cold.exitCode, cold.stderr).toBe(0)
    expect(cold.stdout).toMatch(/base model: pretraining 3 steps/)
    expect(existsSync(join(project.dir, 'cache', 'models'))).toBe(true)
    const warm = await run('warm', 'cache', 1)
    expect(warm.exitCode, warm.stderr).toBe(0)
    expect(warm.stdout).toMatch(/base model: loaded from cache/)
    expect(warm.stdout).not.toMatch(/base model: pretraining/)
    expect(warm.stdout + warm.stderr).toMatch(/bonbench:reward-model: loaded cached reward model/)
    const coldJournal = onlyJournal(join(project.dir, 'cold'))
    const warmJournal = onlyJournal(join(project.dir, 'warm'))
    // The comparison covers every kind of record, and the fine-tuned arms really trained.
    const records = readJournal(coldJournal).records
    expect(new Set(records.map((r) => r.type))).toEqual(new Set(['train', 'prepare', 'pool', 'cell', 'checkpoint']))
    const sft = records.filter((r) => r.type === 'train' && r.cellId.startsWith('sft-'))
    expect(sft).toHaveLength(2)
    expect(sft.every((r) => r.type === 'train' && r.log.gradNorm > 0)).toBe(true)
    expect(formatDifference(compareJournals(coldJournal, warmJournal))).toBe('the journals are the same record for record')
  }, 300_000)

  it('--concurrency 1 vs --concurrency 2 (sampling in-process vs two worker threads), each from a cold cache', async () => {
    const two = await run('two-threads', 'cache-two', 2)
    expect(two.exitCode, two.stderr).toBe(0)
    expect(two.stdout).toMatch(/base model: pretraining 3 steps/)
    const twoJournal = onlyJournal(join(project.dir, 'two-threads'))
    const manifest = JSON.parse(readFileSync(join(twoJournal, '..', 'run.json'), 'utf8')) as { provenance: { config: { concurrency?: number } } }
    expect(manifest.provenance.config.concurrency).toBe(2)
    // The cold run of the first test sampled in-process (concurrency 1).
    const oneJournal = onlyJournal(join(project.dir, 'cold'))
    expect(formatDifference(compareJournals(oneJournal, twoJournal))).toBe('the journals are the same record for record')
  }, 300_000)

  it('train.evalEvery on vs off: checkpoint evaluations and KL are added, training and every final number stay bit-identical', async () => {
    // Same cache as the warm run above, so both journals start from the same pretrained base.
    const on = await evalEveryRunOnce()
    expect(on.exitCode, on.stderr).toBe(0)
    const onJournal = onlyJournal(join(project.dir, 'eval-every'))
    const offJournal = onlyJournal(join(project.dir, 'warm'))
    const records = readJournal(onJournal).records
    expect(records).toHaveLength(EVAL_EVERY_RECORDS)
    const evals = records.filter((r) => r.type === 'checkpoint-eval')
    expect(evals.map((r) => r.type === 'checkpoint-eval' && `${r.cellId}@${r.step}`)).toEqual(['sft-n1-t1-s1@1', 'bon-rl-n4-t1-s1@1'])
    for (const r of records) {
      const kl = r.type === 'checkpoint-eval' ? r.kl : r.type === 'cell' ? r.result.kl : undefined
      if (r.type !== 'checkpoint-eval' && r.type !== 'cell') continue
      if (kl?.state !== 'measured') throw new Error(`${r.cellId}: KL not measured`)
      // Monte Carlo: a trained arm's estimate may dip below 0 by noise, never by much.
      expect(kl.perToken).toBeGreaterThan(-1e-3)
      if (r.type === 'cell' && r.key.strategy === 'base') {
        // π = π_base scored by the same logProb: exactly zero, not merely small.
        expect(kl.perToken).toBe(0)
        expect(kl.ci).toEqual([0, 0])
      }
    }
    // Drop what evalEvery adds (its records, the cells' kl): the rest is the run without it, record for record.
    const without = (path: string) => normalisedJournal(path, { ignore: ['kl'] }).filter((r) => (r as { type: string }).type !== 'checkpoint-eval')
    expect(without(onJournal)).toEqual(without(offJournal))
    // The reports show the frontier.
    const report = readFileSync(join(onJournal, '..', 'report.md'), 'utf8')
    expect(report).toContain('## Divergence frontier')
    expect(report).toMatch(/\| sft \| 1 \| /)
    const results = JSON.parse(readFileSync(join(onJournal, '..', 'results.json'), 'utf8')) as {
      version: number
      groups: Array<{ frontier?: Array<{ step: number }> }>
      charts: Array<{ kind: string }>
    }
    expect(results.version).toBe(3)
    expect(results.groups.map((g) => g.frontier?.map((p) => p.step))).toEqual([[0], [1, 2], [1, 2]])
    expect(results.charts.filter((c) => c.kind === 'frontier')).toHaveLength(2)
  }, 300_000)
})

// Issue 12 §2 and §6: `--resume` after a kill at record k journals exactly what an uninterrupted
// run does. The kill is exact, not raced: BENCH_TEST_KILL_AFTER_RECORDS makes the run SIGKILL
// itself right after its k-th fsync'd record. One run is killed, resumed and killed again at
// these journal sizes (see tiny-math-run.ts for the record layout), then resumed to the end —
// one kill per way a resume picks up. Two kills that repeated another's way went: after bon-rl's
// checkpoint (record 18: sft's record-11 case, the resume loads a trained checkpoint and evaluates
// it) and after sft's cell record (15: the record-4 case, the resume starts a cell from its first
// record, the finished cells before it skipped; the last resume trains bon-rl from scratch):
const KILLS = [
  2, // mid-pretraining (the base model is not cached yet: the resume pretrains again)
  4, // right after the reward model's 'prepare' record (the resume starts the base cell)
  9, // after sft's first training step (the resume replays step 0 and journals step 1)
  11, // after sft's checkpoint record (the resume loads the trained checkpoint)
  13, // in the middle of sft's evaluation pools
]

describe('bench run --resume after a kill at record k', () => {
  it('journals the same records as an uninterrupted run, whatever record the kill came after', async () => {
    // The uninterrupted run: the cache tests' cold one.
    const reference = await coldRunOnce()
    expect(reference.exitCode, reference.stderr).toBe(0)
    const expected = onlyJournal(join(project.dir, 'cold'))
    const full = normalisedJournal(expected)
    expect(full).toHaveLength(22)
    expect(KILLS.at(-1)!).toBeLessThan(full.length)

    let journal: string | undefined
    for (const k of KILLS) {
      const before = journal ? lines(journal).length : 0
      const args = journal
        ? ['run', '--resume', join(journal, '..'), '--no-tui', '--no-reports']
        : tinyMathArgs({ runsDir: 'killed', cacheDir: 'cache-killed', concurrency: 1 })
      const killed = await bench(args, { cwd: project.dir, env: { [KILL_AFTER_RECORDS_ENV]: String(k - before) } })
      expect(killed.signal, `the run was to kill itself after record ${k}: ${killed.stderr}`).toBe('SIGKILL')
      journal ??= onlyJournal(join(project.dir, 'killed'))
      // Exactly k whole records, and they are the uninterrupted run's first k.
      expect(lines(journal)).toHaveLength(k)
      expect(normalisedJournal(journal), `after the kill at record ${k}`).toEqual(full.slice(0, k))
    }

    // A kill in the middle of a write leaves half a line: the resume cuts it, says so, and goes on.
    const torn = '{"type":"pool","cellId":"sft-n1-t1-s1","promptId":"test-2","samp'
    appendFileSync(journal!, torn)
    const resumed = await bench(['run', '--resume', join(journal!, '..'), '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
    expect(resumed.stdout + resumed.stderr).toContain(`resume: dropped a torn final journal record (${torn.length} bytes)`)
    expect(resumed.stdout).toMatch(/base model: loaded from cache/)
    expect(formatDifference(compareJournals(expected, journal!))).toBe('the journals are the same record for record')
  }, 300_000)
})

// With train.evalEvery (see EVAL_EVERY_RECORDS for the record layout): a kill before a checkpoint
// evaluation is journaled redoes it on resume; one after it is not redone (the replayed training
// skips it); either way the journal is the uninterrupted run's, numbers and all.
const EVAL_EVERY_KILLS = [
  8, // after sft's step 0: the resume replays step 0 and evaluates the checkpoint at step 1
  9, // right after sft's checkpoint evaluation: the resume must not journal it again
  17, // right after bon-rl's checkpoint evaluation
]

describe('bench run --resume with train.evalEvery', () => {
  it('skips the checkpoint evaluations already journaled and ends with the uninterrupted journal', async () => {
    // The uninterrupted run: the cache tests' evalEvery run (from a warm cache; the killed run below
    // starts from a cold one, so the comparison holds the resume and the cache to the same journal).
    const reference = await evalEveryRunOnce()
    expect(reference.exitCode, reference.stderr).toBe(0)
    const expected = onlyJournal(join(project.dir, 'eval-every'))
    const full = normalisedJournal(expected)
    expect(full).toHaveLength(EVAL_EVERY_RECORDS)
    let journal: string | undefined
    for (const k of EVAL_EVERY_KILLS) {
      const before = journal ? lines(journal).length : 0
      const args = journal
        ? ['run', '--resume', join(journal, '..'), '--no-tui', '--no-reports']
        : [...tinyMathArgs({ runsDir: 'killed-eval-every', cacheDir: 'cache-killed-eval-every', concurrency: 1 }), '--config', 'eval-every.json']
      const killed = await bench(args, { cwd: project.dir, env: { [KILL_AFTER_RECORDS_ENV]: String(k - before) } })
      expect(killed.signal, `the run was to kill itself after record ${k}: ${killed.stderr}`).toBe('SIGKILL')
      journal ??= onlyJournal(join(project.dir, 'killed-eval-every'))
      expect(normalisedJournal(journal), `after the kill at record ${k}`).toEqual(full.slice(0, k))
    }
    const resumed = await bench(['run', '--resume', join(journal!, '..'), '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
    expect(formatDifference(compareJournals(expected, journal!))).toBe('the journals are the same record for record')
  }, 300_000)
})

// A resumed run re-reads its config file: a plugin whose options changed since would run the
// remaining cells as another experiment (reviewed: toy-answer's noise 0 → 1 gave a results table
// with half its cells from each). The resume is refused, naming the difference.
describe('bench run --resume after the config changed', () => {
  const project = tempDir('bonbench-resume-changed-')
  afterAll(() => project.cleanup())
  const config = (noise: number) => ({
    plugins: [
      ['toy', { prompts: 24 }],
      ['toy-answer', { noise }],
    ],
    matrix: { task: 'toy', model: 'tabular', strategies: ['sft'], nGrid: [1, 2], seeds: [0, 1] },
    train: { steps: 5, pretrainSteps: 0 },
    eval: { bootstrap: 50 },
  })
  const write = (noise: number) => writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify(config(noise)))

  it("refuses a plugin's other options by name, and resumes once they are restored", async () => {
    write(0)
    const killed = await bench(['run', '--no-tui', '--no-reports', '--runs-dir', 'runs'], { cwd: project.dir, env: { [KILL_AFTER_RECORDS_ENV]: '3' } })
    expect(killed.exitCode).not.toBe(0)
    const runDir = join(project.dir, 'runs', readdirSync(join(project.dir, 'runs'))[0]!)
    write(1)
    const refused = await bench(['run', '--resume', runDir, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(refused.exitCode, refused.stderr).toBe(2)
    expect(refused.stderr).toContain(`bench: cannot resume ${runDir}: the rest of it would not run what the run recorded in run.json:`)
    expect(refused.stderr).toContain('  - verifier bonbench:toy-answer has other options here ({"noise":1')
    expect(lines(join(runDir, 'journal.jsonl'))).toHaveLength(3)
    write(0)
    const resumed = await bench(['run', '--resume', runDir, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(resumed.exitCode, resumed.stderr).toBe(0)
  })
})

// A run started with --preset: the preset's plugin options (study's math testSize 800) are no flags,
// so the resume must apply the preset again. It did not, and refused every such run as changed
// ("task bonbench:math has other options here"): a --preset study run could never be resumed.
describe('bench run --resume of a run started with --preset', () => {
  const project = tempDir('bonbench-resume-preset-')
  afterAll(() => project.cleanup())

  it('applies the recorded preset again and ends with the uninterrupted journal', async () => {
    const args = ['run', 'toy', '--model', 'tabular', '--preset', 'study', '--seeds', '0', '--steps', '4', '--pretrain-steps', '0', '--strategies', 'rl']
    const opts = ['--no-tui', '--no-reports', '--test-prompts', '40']
    const reference = await bench([...args, ...opts, '--runs-dir', 'reference'], { cwd: project.dir })
    expect(reference.exitCode, reference.stderr).toBe(0)
    const killed = await bench([...args, ...opts, '--runs-dir', 'runs'], { cwd: project.dir, env: { [KILL_AFTER_RECORDS_ENV]: '6' } })
    expect(killed.exitCode).not.toBe(0)
    const runDir = join(project.dir, 'runs', readdirSync(join(project.dir, 'runs'))[0]!)
    const resumed = await bench(['run', '--resume', runDir, '--no-tui', '--no-reports'], { cwd: project.dir })
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    const difference = compareJournals(onlyJournal(join(project.dir, 'reference')), join(runDir, 'journal.jsonl'))
    expect(difference && formatDifference(difference)).toBeUndefined()
  })
})

// Issue 19 §4: `bench eval` is the evaluation of `bench run`: on a run's own checkpoint it gives
// that cell's numbers (e2e/eval-checkpoint for a tabular run, copied folders and usage errors).
// It evaluates the cache tests' evalEvery run, so it comes last: it edits that run's run.json.
describe('bench eval --checkpoint <run-dir>/checkpoints/<cell> reproduces the run’s cell', () => {
  it('tiny math with a learned verifier and KL: every metric, pool and score bit for bit; the verifier comes from the cache', async () => {
    // The cache tests' evalEvery run (train.evalEvery: 1, the reward model in its cache 'cache').
    const run = await evalEveryRunOnce()
    expect(run.exitCode, run.stderr).toBe(0)
    const runDir = join(onlyJournal(join(project.dir, 'eval-every')), '..')
    const ran = evalJournal(runDir)
    for (const cellId of ['sft-n1-t1-s1', 'bon-rl-n4-t1-s1']) {
      const ev = await bench(['eval', '--checkpoint', join('eval-every', runDir.split('/').pop()!, 'checkpoints', cellId), '--no-tui', '--no-reports'], {
        cwd: project.dir,
      })
      expect(ev.exitCode, ev.stderr).toBe(0)
      const evalDir = /run directory: (.+)/.exec(ev.stdout)![1]!.trim()
      const records = evalJournal(evalDir)
      // One cell, the run's own, with its numbers: samples, verifier scores, metrics, KL against the run's base model.
      expect(records.filter((r) => r.type === 'cell').map((r) => r.cellId)).toEqual([cellId])
      expect(evaluated(records, cellId)).toEqual(evaluated(ran, cellId))
      expect((evaluated(records, cellId).kl as { state: string }).state).toBe('measured')
      // The reward model is the run's, loaded from the cache, not retrained on other samples.
      const [runFacts, evalFacts] = [ran, records].map((j) => j.find((r) => r.type === 'prepare')!.facts!)
      expect(evalFacts).toMatchObject({ hash: runFacts!.hash, auc: runFacts!.auc, baseModel: runFacts!.baseModel })
      expect(ev.stdout + ev.stderr).toMatch(/bonbench:reward-model: loaded cached reward model/)
      // Labelled as the cell it is, never "base"; the estimate says what it rests on.
      const table = ev.stdout.slice(ev.stdout.indexOf('\npass@N '))
      expect(table).toMatch(new RegExp(`\\n${cellId.startsWith('sft') ? 'sft' : "bon-rl N'=4"}\\s+[\\d.]+ \\[`))
      expect(table).not.toMatch(/\nbase\s/)
      expect(ev.stdout + ev.stderr).toMatch(
        /estimate basis: \d+ samples (\(\d+ to prepare bonbench:reward-model\) )?× ~\d+\+\d+ prompt\+completion tokens, 0 sequences in 0 steps trained, \d+ cores, 2 s start-up, evaluation at rates measured by run \S+/,
      )
      const provenance = JSON.parse(readFileSync(join(evalDir, 'run.json'), 'utf8')).provenance
      expect(provenance.trainedCheckpoint).toBe(join(runDir, 'checkpoints', cellId))
      // The run asked for auto: its cell is evaluated on the backend the run recorded, not on what auto picks here.
      expect(provenance.backend).toMatchObject({ requested: 'wasm', resolved: 'wasm' })
    }
    // A run whose model ran on a backend this machine lacks (as a GPU machine's run would read here):
    // its cell is not evaluated on another one silently; --backend says to, and names it.
    const manifestFile = join(runDir, 'run.json')
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
    manifest.provenance.backend.resolved = 'tensorflow-gpu'
    writeFileSync(manifestFile, JSON.stringify(manifest))
    const elsewhere = await bench(['eval', '--checkpoint', join(runDir, 'checkpoints', 'sft-n1-t1-s1'), '--runs-dir', 'refused', '--no-tui'], {
      cwd: project.dir,
    })
    expect(elsewhere.exitCode, elsewhere.stderr).toBe(2)
    expect(elsewhere.stderr).toMatch(
      /cannot evaluate sft-n1-t1-s1 of run \S+ as the run did: its model ran on backend tensorflow-gpu \(what --backend auto chose when the run started\), which is not installed here \(npm i @tensorflow\/tfjs-node-gpu.*\)\. Install it, or pass --backend/,
    )
    expect(existsSync(join(project.dir, 'refused'))).toBe(false)
  })
})
