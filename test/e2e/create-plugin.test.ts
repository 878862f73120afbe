import { execa } from 'execa'
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from './cli-helper.js'
import { bonbenchVersion, installTarball, packBonbench } from './packed-bonbench.js'

// A plugin author's path, end to end, with bonbench as its users get it (the packed tarball in a
// study project): `bench create-plugin` scaffolds a package per kind, `npm install` in it installs
// what the docs say (TypeScript from the registry or npm's cache, and bonbench — not on the
// registry — linked from the bonbench that made it: a `file:` development dependency), the package
// is type-checked by its own `tsc` against the shipped .d.ts and tested by its own `npm test`
// (node:test running the contract tester from bonbench/testing), then named in a study's config
// and used by `bench run`.
/** The test script every scaffold's package.json holds, whatever its kind (cli/create-plugin/package-files.ts). */
const TEST_SCRIPT = 'npm run build && node --test dist/*.test.js'

const plugins = [
  { kind: 'verifier', name: 'first-line' },
  { kind: 'strategy', name: 'best-of-subset' },
  { kind: 'reporter', name: 'event-count' },
  { kind: 'task', name: 'add' },
  { kind: 'model', name: 'digits' },
] as const
/**
 * Names whose camelCase is a reserved word or a name the kind's template uses: the scaffold exports
 * the factory with the kind appended (`classVerifier`, `joinReporter`). Scaffolded beside the others
 * and type-checked in the same `tsc -b`, with the first package's node_modules (what npm install gives).
 */
const clashing = [
  { kind: 'verifier', name: 'class', identifier: 'classVerifier' },
  { kind: 'reporter', name: 'join', identifier: 'joinReporter' },
] as const

describe('bench create-plugin', () => {
  const work = tempDir('bonbench-create-plugin-')
  const study = join(work.dir, 'study')
  const installed = join(study, 'node_modules', 'bonbench')
  const folder = (name: string) => join(work.dir, `bonbench-plugin-${name}`)
  /**
   * What the installed package's `bench` runs (its bin/cli-entry.js: the compiled CLI), as `npx bench`
   * runs it in the study, without the executable's own Node in front, as bench() does in the other
   * e2e files: e2e/npm-pack runs the installed executable itself.
   */
  let program: string[] = []
  const bench = (args: string[], cwd: string) =>
    execa(process.execPath, [...program, ...args], { cwd, reject: false, env: { CI: 'true', NO_COLOR: '1', NODE_OPTIONS: '' } })

  beforeAll(async () => {
    mkdirSync(study)
    writeFileSync(join(study, 'package.json'), JSON.stringify({ name: 'study', private: true, type: 'module', dependencies: { bonbench: bonbenchVersion } }))
    await installTarball((await packBonbench()).tarball, study)
    const entry = (await import(pathToFileURL(join(installed, 'bin', 'cli-entry.js')).href)) as { cliNodeArgs: () => string[] }
    program = entry.cliNodeArgs()
    expect(program.at(-1)).toBe(join(installed, 'dist', 'cli', 'main.js'))
  }, 60_000)
  afterAll(() => work.cleanup())

  it('refuses an unknown kind, a malformed name and a non-empty folder with exit 2, naming the argument or flag', async () => {
    const kind = await bench(['create-plugin', 'scorer', 'x'], work.dir)
    expect(kind.exitCode).toBe(2)
    expect(kind.stderr).toMatch(/<kind> 'scorer' is not a plugin kind; use one of task, model, verifier, strategy, reporter/)
    const name = await bench(['create-plugin', 'verifier', 'My_Check'], work.dir)
    expect(name.exitCode).toBe(2)
    expect(name.stderr).toMatch(/<name> 'My_Check' is not a valid plugin name/)
    const full = join(work.dir, 'full')
    mkdirSync(full)
    writeFileSync(join(full, 'notes.txt'), 'mine')
    const dir = await bench(['create-plugin', 'verifier', 'check', '--dir', full], work.dir)
    expect(dir.exitCode).toBe(2)
    expect(dir.stderr).toContain(`--dir ${full} already exists and is not empty`)
    expect(readdirSync(full)).toEqual(['notes.txt'])
  })

  it.each(plugins)(
    'scaffolds a $kind package: its manifest, its source, and npm install (as the docs say) gives it what it builds and tests with',
    async ({ kind, name }) => {
      const made = await bench(['create-plugin', kind, name, '--dir', folder(name)], work.dir)
      expect(made.exitCode, made.stderr).toBe(0)
      expect(made.stdout).toContain(`created bonbench-plugin-${name} (${kind} bonbench-plugin-${name}/${name})`)
      // bonbench is not on the registry: the scaffold depends on the bonbench that made it, by path.
      const root = realpathSync(installed)
      expect(made.stdout).toContain(`npm install     # TypeScript, and bonbench linked from ${root}`)
      const manifest = JSON.parse(readFileSync(join(folder(name), 'package.json'), 'utf8'))
      expect(manifest).toMatchObject({
        name: `bonbench-plugin-${name}`,
        type: 'module',
        peerDependencies: { bonbench: `^${bonbenchVersion}` },
        devDependencies: { bonbench: `file:${root}` },
        scripts: { build: 'tsc', test: TEST_SCRIPT },
      })
      expect(readFileSync(join(folder(name), 'README.md'), 'utf8')).not.toContain('npmjs.com/package/bonbench')
      expect(readFileSync(join(folder(name), 'src', 'index.ts'), 'utf8')).toMatch(
        new RegExp(`define${kind[0]!.toUpperCase()}${kind.slice(1)}\\(\\{[\\s\\S]*options: z\\.strictObject`),
      )
      // What the docs say, and nothing else. (prefer-offline: npm's cache first, the registry for
      // what it lacks; the same install either way.)
      const install = await execa('npm', ['install'], {
        cwd: folder(name),
        reject: false,
        env: { NODE_OPTIONS: '', npm_config_prefer_offline: 'true' },
      })
      expect(install.exitCode, install.stdout + install.stderr).toBe(0)
      expect(lstatSync(join(folder(name), 'node_modules', 'bonbench')).isSymbolicLink()).toBe(true)
      expect(realpathSync(join(folder(name), 'node_modules', 'bonbench'))).toBe(root)
      // npm did not run bonbench's own build (its prepare script) in the installed copy.
      expect(existsSync(join(installed, 'dist', 'core', 'index.js'))).toBe(true)
    },
    60_000,
  )

  // Every scaffold's test script is TEST_SCRIPT (checked above). The first package runs it as
  // `npm test`; the others run what it runs — their builds in one `tsc -b` (one TypeScript start,
  // the shipped .d.ts and @types/node parsed once: most of a build's CPU), then `node --test` each.
  it('each scaffold type-checks against the shipped .d.ts and passes its own tests (npm test for the first)', async () => {
    const [first, ...others] = plugins
    const tested = await execa('npm', ['test'], { cwd: folder(first.name), reject: false, env: { NODE_OPTIONS: '' } })
    expect(tested.exitCode, tested.stdout + tested.stderr).toBe(0)
    expect(tested.stdout).toMatch(/# pass 2\n# fail 0/)
    for (const { kind, name, identifier } of clashing) {
      const made = await bench(['create-plugin', kind, name, '--dir', folder(name)], work.dir)
      expect(made.exitCode, made.stderr).toBe(0)
      expect(readFileSync(join(folder(name), 'src', 'index.ts'), 'utf8')).toContain(`export const ${identifier} = define`)
      symlinkSync(join(folder(first.name), 'node_modules'), join(folder(name), 'node_modules'), 'dir')
    }
    const rest = [...others, ...clashing]
    const tsc = join(folder(first.name), 'node_modules', '.bin', 'tsc')
    const built = await execa(tsc, ['-b', ...rest.map(({ name }) => folder(name))], { reject: false, env: { NODE_OPTIONS: '' } })
    expect(built.exitCode, built.stdout + built.stderr).toBe(0)
    for (const { name } of rest) {
      const dist = join(folder(name), 'dist')
      const files = readdirSync(dist).filter((file) => file.endsWith('.test.js'))
      expect(files, name).toEqual(['index.test.js'])
      const run = await execa(process.execPath, ['--test', ...files.map((file) => join('dist', file))], {
        cwd: folder(name),
        reject: false,
        env: { NODE_OPTIONS: '' },
      })
      expect(run.exitCode, `${name}: ${run.stdout}${run.stderr}`).toBe(0)
      expect(run.stdout, name).toMatch(/# pass 2\n# fail 0/)
    }
    for (const { name } of [...plugins, ...clashing]) expect(existsSync(join(folder(name), 'dist', 'index.d.ts')), name).toBe(true)
  }, 120_000)

  it('uses the scaffolded verifier, strategy and reporter in bench run, named by the config', async () => {
    for (const { name } of plugins) {
      if (!existsSync(join(folder(name), 'dist', 'index.js'))) throw new Error(`bonbench-plugin-${name} was not built: the scaffold test failed`)
      // What `npm install ../bonbench-plugin-<name>` does: a link to the folder.
      symlinkSync(folder(name), join(study, 'node_modules', `bonbench-plugin-${name}`), 'dir')
    }
    writeFileSync(
      join(study, 'bench.config.json'),
      JSON.stringify({
        plugins: ['bonbench-plugin-first-line', ['bonbench-plugin-best-of-subset', { baseline: 0.5 }], 'bonbench-plugin-event-count'],
        matrix: { task: 'toy', model: 'tabular', strategies: ['best-of-subset'], verifier: 'first-line', nGrid: [1, 2], nTrain: [2], seeds: [0] },
        train: { steps: 3 },
      }),
    )
    const listed = await bench(['list', 'best-of-subset'], study)
    expect(listed.exitCode, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(/bonbench-plugin-best-of-subset\/best-of-subset \(strategy, version 0\.1\.0, npm:bonbench-plugin-best-of-subset@0\.1\.0\)/)
    expect(listed.stdout).toMatch(/baseline: number = 0/)
    const run = await bench(['run', '--no-tui'], study)
    expect(run.exitCode, run.stderr + run.stdout).toBe(0)
    const runDir = /run directory: (.+)/.exec(run.stdout)![1]!.trim()
    const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8'))
    const names = results.provenance.plugins.map((p: { name: string }) => p.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'bonbench-plugin-first-line/first-line',
        'bonbench-plugin-best-of-subset/best-of-subset',
        'bonbench-plugin-event-count/event-count',
      ]),
    )
    const strategy = results.provenance.plugins.find((p: { name: string }) => p.name === 'bonbench-plugin-best-of-subset/best-of-subset')
    expect(strategy).toMatchObject({ kind: 'strategy', version: '0.1.0', options: { baseline: 0.5 }, source: 'npm:bonbench-plugin-best-of-subset@0.1.0' })
    const counts = JSON.parse(readFileSync(join(runDir, 'event-counts.json'), 'utf8'))
    expect(counts).toMatchObject({ cells: 2, interrupted: false, events: { 'run:start': 1, 'cell:end': 2, 'run:end': 1 } })
  }, 120_000)

  it('runs the scaffolded task and model in bench run', async () => {
    const dir = join(study, 'add')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'bench.config.json'),
      JSON.stringify({
        plugins: [['bonbench-plugin-add', { count: 8 }], 'bonbench-plugin-digits'],
        matrix: { task: 'add', model: 'digits', strategies: [], nGrid: [1, 2], seeds: [0] },
      }),
    )
    const run = await bench(['run', '--no-tui', '--no-reports'], dir)
    expect(run.exitCode, run.stderr + run.stdout).toBe(0)
    const runDir = /run directory: (.+)/.exec(run.stdout)![1]!.trim()
    const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))
    const names = manifest.provenance.plugins.map((p: { name: string }) => p.name)
    expect(names).toEqual(expect.arrayContaining(['bonbench-plugin-add/add', 'bonbench-plugin-digits/digits']))
  }, 120_000)
})
