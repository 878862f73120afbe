// How to run: `npm run bench:startup` (RUNS=<n> sets the runs per measurement; default 5).
// Startup times that issue 14 sets goals for, each measured as separate processes:
// - `import('bonbench')` in plain Node (no TypeScript loader) from a project that depends on
//   bonbench: the time the import itself takes (goal: under 150 ms), and the whole process;
// - `bench --help` (goal: under 1 s);
// - `bench verify humaneval-js` on one problem, its reference solution (goal: under 1 s).
// Prints the median and the fastest of the runs (wall time), and the median CPU time of the
// processes (user + system; bash's `time`), which a busy machine inflates less. `bench` runs the compiled dist/ when it is
// built and newer than the sources (bin/bench.js); BONBENCH_FROM_SOURCE=1 times the tsx path.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const runs = Number(process.env.RUNS ?? 5)
const work = mkdtempSync(join(tmpdir(), 'bonbench-startup-'))

// A consumer project whose node_modules/bonbench is this repository.
mkdirSync(join(work, 'node_modules'))
symlinkSync(root, join(work, 'node_modules', 'bonbench'), 'dir')
writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', dependencies: { bonbench: '*' } }))

// One HumanEval-X problem (its canonical solution passes), so the benchmark needs no data folder.
const problem = {
  task_id: 'JavaScript/0',
  prompt: 'const add = (a, b) => {\n',
  declaration: '\nconst add = (a, b) => {\n',
  canonical_solution: '  return a + b\n}\n',
  test: 'const testAdd = () => {\n  console.assert(add(1, 2) === 3)\n}\ntestAdd()\n',
}
const data = join(work, 'one.jsonl')
writeFileSync(data, `${JSON.stringify(problem)}\n`)

/**
 * Runs a command `runs` times under bash's `time`; returns each run's wall time and CPU time
 * (user + system, the process and its children: less sensitive to a busy machine) in ms, and its stdout.
 */
function time(file: string, args: string[]): { ms: number[]; cpu: number[]; stdout: string[] } {
  const ms: number[] = []
  const cpu: number[] = []
  const stdout: string[] = []
  const env = { ...process.env, CI: 'true', NODE_OPTIONS: '', TIMEFORMAT: '%U %S' }
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    const result = spawnSync('bash', ['-c', 'time "$@" 2>/dev/null', 'bash', file, ...args], { cwd: work, encoding: 'utf8', env })
    ms.push(performance.now() - start)
    if (result.status !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${result.status}: ${result.stdout}`)
    const [user, system] = result.stderr.trim().split(/\s+/).slice(-2).map(Number)
    cpu.push((user! + system!) * 1000)
    stdout.push(result.stdout)
  }
  return { ms, cpu, stdout }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const row = (name: string, ms: number[], goal: number, cpu?: number[]) =>
  `${name.padEnd(40)} median ${median(ms).toFixed(0).padStart(5)} ms   fastest ${Math.min(...ms)
    .toFixed(0)
    .padStart(5)} ms` + `   ${cpu ? `CPU median ${median(cpu).toFixed(0).padStart(5)} ms` : ''.padEnd(20)}   goal < ${goal} ms`

try {
  const importScript =
    "const t = performance.now(); const c = process.cpuUsage(); await import('bonbench'); const d = process.cpuUsage(c); process.stdout.write(`${performance.now() - t} ${(d.user + d.system) / 1000}`)"
  const imports = time(process.execPath, ['--input-type=module', '-e', importScript])
  const bin = join(root, 'bin', 'bench.js')
  const help = time(process.execPath, [bin, '--help'])
  const verify = time(process.execPath, [bin, 'verify', 'humaneval-js', '--data', data, '--reference', '--json', '--out', join(work, 'out.jsonl'), '--k', '1'])
  const verdict = JSON.parse(verify.stdout.at(-1)!) as { passAtK?: Record<string, number> }
  if (verdict.passAtK?.['1'] !== 1) throw new Error(`bench verify did not pass the one reference solution: ${verify.stdout.at(-1)}`)
  process.stdout.write(
    [
      `startup (${runs} runs each, ${process.env.BONBENCH_FROM_SOURCE ? 'bench from sources (tsx)' : 'bench from dist/ when up to date'})`,
      row(
        "import('bonbench'), the import",
        imports.stdout.map((line) => Number(line.split(' ')[0])),
        150,
        imports.stdout.map((line) => Number(line.split(' ')[1])),
      ),
      row("import('bonbench'), the whole process", imports.ms, 1000, imports.cpu),
      row('bench --help', help.ms, 1000, help.cpu),
      row('bench verify (one problem)', verify.ms, 1000, verify.cpu),
    ].join('\n') + '\n',
  )
} finally {
  rmSync(work, { recursive: true, force: true })
}
