import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SERIES_MARKERS } from '../../cli/render-results.js'
import { benchHelp, benchInProcess, benchUsageError } from './cli-help.js'
import { bench, repoRoot, tempDir } from './cli-helper.js'

const project = tempDir('bonbench-flags-')
afterAll(() => project.cleanup())
const run = (args: string[]) => bench(args, { cwd: project.dir, timeout: 120_000 })

// A two-problem sample dump for the analysis commands.
const dump = join(project.dir, 'dump.jsonl')
writeFileSync(
  dump,
  ['{"id":"a","samples":[{"reward":1,"score":0.9},{"reward":0,"score":0.1}]}', '{"id":"b","samples":[{"reward":0,"score":0.2},{"reward":1,"score":0.7}]}'].join(
    '\n',
  ) + '\n',
)

/** The rows of the table below that start the real executable: a parser error, a plugin check, a report flag. */
const SPAWNED = new Set(['run toy --n 0', 'run toy --model tabular --backend wasm --dry-run', 'report a --bootstrap 5 --resamples 5'])

describe('flag errors name the flag as written and what it accepts (exit 2)', () => {
  it.each([
    [['run', 'toy', '--n', '0'], /--n: each N must be an integer ≥ 1 \(got 0\)/],
    [['run', 'toy', '--n', '1.5'], /--n: each N must be an integer ≥ 1 \(got 1\.5\)/],
    [['run', 'toy', '-n', '1,x'], /--n: each N must be an integer ≥ 1 \(got 'x'\)/],
    [['run', 'toy', '--temperatures', '99'], /--temperatures: each temperature must be in \(0, 10\] \(got 99\)/],
    [['run', 'toy', '-t', '-1'], /--temperatures: each temperature must be in \(0, 10\] \(got -1\)/],
    [['run', 'toy', '--temperatures', '0'], /--temperatures: each temperature must be in \(0, 10\] \(got 0\)\. T = 0 is greedy decoding/],
    [['run', 'toy', '--base-temperatures', '11'], /--base-temperatures: each temperature must be in \(0, 10\] \(got 11\)/],
    [['run', 'toy', '--seeds', '-1'], /--seeds: each seed must be an integer ≥ 0 \(got -1\)/],
    [['run', 'toy', '--n-train', '0'], /--n-train: each N′ must be an integer ≥ 1 \(got 0\)/],
    [['run', 'toy', '--steps', '-3'], /--steps: the step count must be an integer ≥ 0 \(got -3\)/],
    [['run', 'toy', '--lr', '0'], /--lr: the learning rate must be a number > 0 \(got 0\)/],
    [['run', 'toy', '--pool-size', '2.5'], /--pool-size: the pool size must be an integer ≥ 1 \(got 2\.5\)/],
    [['run', 'toy', '--concurrency', '0'], /--concurrency: the concurrency must be an integer ≥ 1 \(got 0\)/],
    [
      ['run', 'toy', '--model', 'tabular', '--backend', 'bogus'],
      /--backend: unknown value 'bogus'; use one of auto, wasm, cpu, tensorflow, tensorflow-gpu, webgpu/,
    ],
    [['run', 'toy', '--model', 'tabular', '--backend', 'wasm', '--dry-run'], /--backend does not apply to the model bonbench:tabular/],
    [['eval', 'toy', '--model', 'tabular', '--checkpoint', '.', '--backend', 'cpu'], /--backend does not apply to the model bonbench:tabular/],
    [['run', '--resume', 'somewhere', '--n', '4'], /--resume continues a run with its recorded config, so --n would be ignored/],
    [['run', 'toy', '--model', 'tabular', '--strategies', 'nosuch', '--dry-run'], /Known strategies: /],
    [['list', '--kind', 'bogus'], /--kind: unknown value 'bogus'; use one of model, verifier, task, strategy, reporter/],
    [['env', '--backend', 'bogus'], /--backend: unknown value 'bogus'; use one of auto/],
    [['score', 'dump.jsonl', '--k', '0'], /--k: each k must be an integer ≥ 1 \(got 0\)/],
    [['score', 'dump.jsonl', '--resamples', '1'], /--resamples: the number of resamples must be an integer ≥ 2 \(got 1\)/],
    [['score', 'dump.jsonl', '--seed', '-1'], /--seed: the seed must be an integer ≥ 0 \(got -1\)/],
    [['compare', 'a', 'b', '--alpha', '2'], /--alpha: alpha must be a number in \(0, 1\) \(got 2\)/],
    [['compare', 'a', 'b', '--threshold', 'x'], /--threshold: the threshold must be a number of points in 0\.\.100 \(got 'x'\)/],
    [['compare', 'a', 'b', '--format', 'xml'], /--format: unknown value 'xml'; use one of md, json, junit/],
    [['report', 'a', '--bootstrap', '1'], /--bootstrap: the number of resamples must be an integer ≥ 2 \(got 1\)/],
    [['report', 'a', '--bootstrap', '5', '--resamples', '5'], /--bootstrap: give --resamples alone/],
    [['findings', 'a', '--temperature', '0'], /--temperature: the temperature must be in \(0, 10\] \(got 0\)/],
    [['verify', 'humaneval-js', '--concurrency', '0'], /--concurrency: the concurrency must be an integer ≥ 1 \(got 0\)/],
  ])('bench %j', async (args, message) => {
    // A few through the real executable; the rest in this process by the same command-line runner
    // (one Node start per case was most of this file's CPU).
    const result = SPAWNED.has(args.join(' ')) ? await run(args) : await benchUsageError(args, project.dir)
    expect(result.stderr).toMatch(message)
    expect(result.exitCode, result.stderr).toBe(2)
  })

  it('a temperature out of range in the config file names the key and the range', async () => {
    const dir = join(project.dir, 'cfg')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ matrix: { task: 'toy', model: 'tabular', temperatures: [0], nGrid: [0] } }))
    const result = await benchUsageError(['run', '--dry-run'], dir)
    expect(result.stderr).toMatch(/matrix\.nGrid\.0: must be an integer ≥ 1/)
    expect(result.stderr).toMatch(/matrix\.temperatures\.0: must be in \(0, 10\]/)
    expect(result.exitCode).toBe(2)
  })
})

describe('one vocabulary across commands', () => {
  const commands = [
    'run',
    'eval',
    'list',
    'env',
    'report',
    'rerun',
    'compare',
    'score',
    'verify',
    'weights',
    'findings',
    'serve',
    'worker',
    'queue',
    'merge',
    'create-plugin',
  ]

  it('every command has an Examples section, -t means --temperatures alone, and defaults print unquoted', async () => {
    // Rendered in this process by the program the executable builds for these arguments (one
    // Node start per command took seconds); e2e/run-toy starts the executable for --help.
    const help = await benchHelp(['--help'])
    const listed = [...help.stdout.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help')
    expect(listed.sort()).toEqual([...commands].sort())
    for (const command of commands) {
      const sub = await benchHelp([command, '--help'])
      expect(sub.exitCode, command).toBe(0)
      expect(sub.stdout, command).toMatch(/\nExamples:\n {2}bench /)
      expect(sub.stdout, command).not.toMatch(/default: "/)
      expect(sub.stdout, command).not.toMatch(/-o, --output|--bootstrap|--seed\b/)
      const t = /^ {2}-t, (--\S+)/m.exec(sub.stdout)
      if (t) expect(t[1], command).toBe('--temperatures')
    }
  })

  it('-V and --version print the version; -v is not an option', async () => {
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version as string
    expect((await run(['-V'])).stdout.trim()).toBe(version)
    // The other spellings in this process (as the program renders help, see above).
    expect((await benchHelp(['--version'])).stdout.trim()).toBe(version)
    expect((await benchUsageError(['-v'], project.dir)).exitCode).not.toBe(0)
  })

  it('old spellings still work, with a one-line note naming the new one', async () => {
    // In this process (benchInProcess): the same command-line runner, stdout and stderr captured.
    const inProcess = (args: string[]) => benchInProcess(args, { cwd: project.dir })
    const result = await inProcess(['score', 'dump.jsonl', '--seed', '3', '--json'])
    expect(result.exitCode, result.stderr).toBe(0)
    // Byte for byte: the one line and its newline (execa stripped it).
    expect(result.stderr).toBe('bench: note: --seed is now spelled --seeds; the old spelling still works but will go away.\n')
    const now = await inProcess(['score', 'dump.jsonl', '--seeds', '3', '--json'])
    expect(now.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(now.stdout))
    const dry = await inProcess(['run', 'toy', '--model', 'tabular', '--seed', '0,1', '--dry-run'])
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stderr).toContain('--seed is now spelled --seeds')
    expect(dry.stdout).toMatch(/seed=1/)
  })
})

describe('charts without a terminal', () => {
  it('draw each series with its own marker, named in the legend, and no colour codes', async () => {
    const result = await run(['run', 'toy', '--model', 'tabular', '--strategies', 'sft,bon-rlb', '--n', '1,2,4,8', '--no-reports', '--no-tui'])
    expect(result.exitCode, result.stderr).toBe(0)
    const out = result.stdout
    expect(out).not.toContain('\u001b[')
    const charts = out.slice(out.indexOf('Bo-N accuracy against N'))
    const legend = charts.split('\n').find((l) => l.startsWith(`${SERIES_MARKERS[0]} `))!
    expect(legend).toBe(`${SERIES_MARKERS[0]} base   ${SERIES_MARKERS[1]} sft   ${SERIES_MARKERS[2]} bon-rlb N'=4`)
    const body = charts.slice(0, charts.indexOf(legend))
    for (const marker of SERIES_MARKERS.slice(0, 3)) expect(body).toContain(marker)
    expect(existsSync(join(project.dir, '.bench'))).toBe(true)
  }, 120_000)
})
