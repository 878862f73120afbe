import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateToyProblems, toyLevels } from '../../plugins/tasks/toy/index.js'
import { benchInProcess } from './cli-help.js'
import { bench, tempDir, runDirOf } from './cli-helper.js'

// A third-party task from a local file that reads its problems from --data and reports the
// file's sha256, as dataset tasks do: the rerun must load it again from the record and check both.
const taskSource = (version: string) => `import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
export default (options = {}) => ({
  name: 'lab/toy-file', kind: 'task', meta: { version: '${version}' }, options,
  rewardVerifier: 'toy-answer', generation: { maxTokens: 8, stop: ['\\n'] },
  async load(ctx) {
    const bytes = readFileSync(ctx.dataPath)
    const problems = JSON.parse(bytes.toString('utf8'))
    return { train: problems, test: problems, files: [{ path: ctx.dataPath, sha256: createHash('sha256').update(bytes).digest('hex') }] }
  },
})
`

type Json = Record<string, any>
const journal = (runDir: string): Json[] =>
  readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
const cellsOf = (runDir: string) =>
  journal(runDir)
    .filter((r) => r.type === 'cell')
    .map((r) => r.result)
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8'))

describe('bench rerun', () => {
  const project = tempDir('bonbench-rerun-')
  const problems = generateToyProblems(12, 3, [1, 2, 3, 4], toyLevels)
  const dataFile = join(project.dir, 'problems.json')
  let recordedDir = ''
  afterAll(() => project.cleanup())

  beforeAll(async () => {
    writeFileSync(join(project.dir, 'toy-file.mjs'), taskSource('1.0.0'))
    writeFileSync(dataFile, JSON.stringify(problems))
    writeFileSync(
      join(project.dir, 'bench.config.json'),
      JSON.stringify({
        plugins: ['./toy-file.mjs'],
        matrix: { task: 'lab/toy-file', model: 'tabular', strategies: ['rl', 'bon-rlb'], nGrid: [1, 2, 4, 8], seeds: [4] },
        train: { steps: 12 },
        data: './problems.json',
      }),
    )
    // The commands run in this process (benchInProcess) but two: the rerun whose recorded argv is
    // checked (the process's), and the one after toy-file.mjs changed (an import in this process
    // would get the module it loaded first: Node caches it by its URL).
    const result = await benchInProcess(['run', '--no-tui'], { cwd: project.dir })
    expect(result.exitCode, result.stderr).toBe(0)
    recordedDir = runDirOf(result.stdout)
  }, 150_000)

  it('records the provenance in run.json and the same block in results.json', () => {
    const manifest = readJson(join(recordedDir, 'run.json'))
    const results = readJson(join(recordedDir, 'results.json'))
    expect(manifest.version).toBe(2)
    expect(results.provenance).toEqual(manifest.provenance)
    const p = manifest.provenance
    expect(p.harness).toMatchObject({ name: 'bonbench', version: expect.stringMatching(/^\d+\.\d+\.\d+/) })
    expect(p.backend).toEqual({ requested: 'auto', resolved: 'js', device: 'cpu' })
    expect(p.dataFiles).toHaveLength(1)
    expect(p.dataFiles[0].path).toBe(dataFile)
    expect(p.plugins.find((x: Json) => x.name === 'lab/toy-file')).toMatchObject({ version: '1.0.0', source: `file:${join(project.dir, 'toy-file.mjs')}` })
    expect(p.strategies.map((s: Json) => s.name)).toEqual(['rl', 'bon-rlb'])
  })

  it('reproduces the run into a new directory with every number bit-identical', async () => {
    const before = readdirSync(join(project.dir, '.bench', 'runs'))
    // A process of its own: the record's argv is the process's.
    const result = await bench(['rerun', recordedDir, '--no-tui'], { cwd: project.dir, timeout: 120_000 })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('rerun: identical — every metric of all 3 cells is bit-identical')
    const rerunDir = runDirOf(result.stdout)
    expect(before).not.toContain(rerunDir.split('/').pop())
    // Compared here independently of the command's own diff: every number of every cell.
    const was = cellsOf(recordedDir)
    const now = cellsOf(rerunDir)
    expect(now.map((c) => c.cellId)).toEqual(['base-n1-t1-s4', 'rl-n1-t1-s4', 'bon-rlb-n4-t1-s4'])
    expect(now.map((c) => c.cellId)).toEqual(was.map((c) => c.cellId))
    now.forEach((c, i) => {
      const w = was[i]
      expect(c.metrics).toStrictEqual(w.metrics)
      expect(c.prompts).toStrictEqual(w.prompts)
      expect(c.training).toStrictEqual(w.training)
      expect({ ...c.compute, wallMs: 0 }).toStrictEqual({ ...w.compute, wallMs: 0 })
    })
    expect(now[1].training.length).toBe(12)
    const pools = (dir: string) => journal(dir).filter((r) => r.type === 'pool')
    expect(pools(rerunDir)).toStrictEqual(pools(recordedDir))
    // The new run records the same experiment.
    const a = readJson(join(recordedDir, 'results.json')).provenance
    const b = readJson(join(rerunDir, 'results.json')).provenance
    for (const key of ['config', 'plugins', 'strategies', 'judges', 'backend', 'seeds', 'dataFiles', 'harness']) expect(b[key], key).toEqual(a[key])
    expect(b.argv).toEqual(['rerun', recordedDir, '--no-tui'])
    expect(readJson(join(rerunDir, 'rerun.json'))).toMatchObject({ of: { runDir: recordedDir }, identical: true, total: 0 })
  }, 150_000)

  it('refuses with BENCH_RERUN_MISMATCH naming the data file when its bytes changed, and goes on with --allow-mismatch', async () => {
    const recordedHash = readJson(join(recordedDir, 'run.json')).provenance.dataFiles[0].sha256
    writeFileSync(dataFile, JSON.stringify(problems, null, 1)) // the same problems, other bytes
    try {
      const refused = await benchInProcess(['rerun', recordedDir, '--no-tui'], { cwd: project.dir })
      expect(refused.exitCode).toBe(2)
      expect(refused.stderr).toContain('BENCH_RERUN_MISMATCH')
      expect(refused.stderr).toMatch(new RegExp(`data file ${dataFile}: sha256 ${recordedHash} recorded, [0-9a-f]{64} here`))
      expect(refused.stderr).toContain('--allow-mismatch')
      const runs = readdirSync(join(project.dir, '.bench', 'runs')).length
      const allowed = await benchInProcess(['rerun', recordedDir, '--no-tui', '--no-reports', '--allow-mismatch'], { cwd: project.dir })
      // The bytes differ, the problems do not: the numbers still agree, and the warning says what differed.
      expect(allowed.exitCode, allowed.stderr).toBe(0)
      expect(allowed.stderr).toContain(`warning: differs from the record (--allow-mismatch): data file ${dataFile}`)
      expect(allowed.stdout).toContain('rerun: identical')
      expect(readdirSync(join(project.dir, '.bench', 'runs')).length).toBe(runs + 1)
    } finally {
      writeFileSync(dataFile, JSON.stringify(problems))
    }
  }, 200_000)

  it('refuses when a plugin’s version differs from the record (the plugin changed, or the record was edited)', async () => {
    writeFileSync(join(project.dir, 'toy-file.mjs'), taskSource('1.1.0'))
    try {
      // A process of its own: it must load the changed file.
      const refused = await bench(['rerun', recordedDir, '--no-tui'], { cwd: project.dir, timeout: 60_000 })
      expect(refused.exitCode).toBe(2)
      expect(refused.stderr).toContain('BENCH_RERUN_MISMATCH')
      expect(refused.stderr).toContain('plugin lab/toy-file: version 1.0.0 recorded, 1.1.0 here')
      expect(refused.stderr).not.toContain('data file')
    } finally {
      writeFileSync(join(project.dir, 'toy-file.mjs'), taskSource('1.0.0'))
    }
    // A record whose built-in version was tampered with is refused the same way.
    const tampered = join(project.dir, 'tampered')
    cpSync(recordedDir, tampered, { recursive: true })
    const manifest = readJson(join(tampered, 'run.json'))
    manifest.provenance.plugins.find((x: Json) => x.name === 'bonbench:bon-rlb').version = '0.0.9'
    writeFileSync(join(tampered, 'run.json'), JSON.stringify(manifest))
    const refused = await benchInProcess(['rerun', tampered, '--no-tui'], { cwd: project.dir })
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toMatch(/plugin bonbench:bon-rlb: version 0\.0\.9 recorded, \d+\.\d+\.\d+ here/)
    // A record without its journal has nothing to compare a rerun with: refused before the rerun runs.
    const noJournal = join(project.dir, 'no-journal')
    cpSync(recordedDir, noJournal, { recursive: true })
    rmSync(join(noJournal, 'journal.jsonl'))
    const runsBefore = readdirSync(join(project.dir, '.bench', 'runs')).length
    const unrecorded = await benchInProcess(['rerun', noJournal, '--no-tui'], { cwd: project.dir })
    expect(unrecorded.exitCode).toBe(2)
    expect(unrecorded.stderr).toContain(`${join(noJournal, 'journal.jsonl')} is missing or empty: there is no recorded result to compare a rerun with`)
    expect(readdirSync(join(project.dir, '.bench', 'runs')).length).toBe(runsBefore)
  }, 200_000)

  it('exits 1 and names the differing numbers when the rerun does not reproduce them', async () => {
    // Another right answer for every prompt: the data (and so the numbers) really changed.
    const changed = problems.map((p) => ({
      ...p,
      data: { ...(p.data as Json), correct: [(p.data as Json).answers[0]] },
      answer: (p.data as Json).answers[0],
      expert: (p.data as Json).answers[0],
    }))
    writeFileSync(dataFile, JSON.stringify(changed))
    try {
      const result = await benchInProcess(['rerun', recordedDir, '--no-tui', '--no-reports', '--allow-mismatch'], { cwd: project.dir })
      expect(result.exitCode, result.stderr).toBe(1)
      expect(result.stdout).toMatch(/rerun: DIFFERENT — \d of 3 cells differ from run /)
      expect(result.stdout).toMatch(/\n {2}base-n1-t1-s4: \S+: \S+ → \S+/)
      const rerun = readJson(join(runDirOf(result.stdout), 'rerun.json'))
      expect(rerun.identical).toBe(false)
      expect(rerun.differingCells).toContain('base-n1-t1-s4')
    } finally {
      writeFileSync(dataFile, JSON.stringify(problems))
    }
  }, 200_000)
})
