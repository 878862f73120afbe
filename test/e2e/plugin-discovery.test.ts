import { cpSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bench, repoRoot, tempDir } from './cli-helper.js'

// README "Plugins", the discovery rule: list, run, eval, verify and serve load every installed bonbench-plugin-*
// package; a broken one is listed with its error and fails only the names it provides; an import
// that never settles fails after BONBENCH_IMPORT_TIMEOUT seconds naming the file or package.
const project = tempDir('bonbench-discovery-')
afterAll(() => project.cleanup())
// 2 s: short for the hanging package every command here waits on (nine of them: the wait is most
// of this file's time), long enough for a working .js or .mjs plugin to load on a loaded 2-core CI
// machine. The .ts configs below (tsx compiles them first: 1 s was once too short) get the default.
const env = { BONBENCH_IMPORT_TIMEOUT: '2' }
const run = (args: string[], cwd = project.dir) => bench(args, { cwd, env, timeout: 120_000 })
/** The default deadline (30 s), for the cases that do not test a hang. */
const runPatient = (args: string[], cwd: string) => bench(args, { cwd, timeout: 120_000 })

function fakePackage(name: string, version: string, index: string): void {
  const dir = join(project.dir, 'node_modules', name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', exports: './index.js' }))
  writeFileSync(join(dir, 'index.js'), index)
}

beforeAll(() => {
  cpSync(join(repoRoot, 'test/fixtures/bonbench-plugin-dice'), join(project.dir, 'node_modules/bonbench-plugin-dice'), { recursive: true })
  fakePackage('bonbench-plugin-broken', '0.0.1', "throw new Error('kaboom: missing native binding')\n")
  fakePackage('bonbench-plugin-hang', '0.0.2', 'await new Promise(() => {})\nexport default []\n')
})

// Concurrent (and the commands of a test at once): most of these commands wait out the hanging
// package's deadline, idle; waiting together, the file spends that time once, not nine times.
// Each test works in its own folder or only reads project.dir's packages.
describe.concurrent('one discovery rule for list, run, eval and verify', () => {
  it('bench list lists the working packages and each broken one with its error, and exits 0', async () => {
    // At once: each waits out the hanging package's deadline.
    const [result, table] = await Promise.all([run(['list', '--json']), run(['list'])])
    expect(result.exitCode, result.stderr).toBe(0)
    const rows = JSON.parse(result.stdout) as Array<{ kind: string; name: string; source: string; error?: string }>
    expect(
      rows
        .filter((r) => r.source === 'npm:bonbench-plugin-dice@1.2.3')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['bonbench-plugin-dice/dice', 'bonbench-plugin-dice/roller', 'bonbench-plugin-dice/sum'])
    expect(rows.some((r) => r.name === 'bonbench:toy')).toBe(true)
    const broken = rows.filter((r) => r.kind === 'broken')
    expect(broken.map((r) => r.name).sort()).toEqual(['bonbench-plugin-broken', 'bonbench-plugin-hang'])
    expect(broken.find((r) => r.name === 'bonbench-plugin-broken')!.error).toContain('kaboom: missing native binding')
    expect(broken.find((r) => r.name === 'bonbench-plugin-hang')!.error).toMatch(/bonbench-plugin-hang did not finish within 2 s/)

    expect(table.exitCode, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/task\s+bonbench-plugin-dice\/dice/)
    expect(table.stdout).toContain('broken (installed, failed to load')
    expect(table.stdout).toContain('kaboom')
  })

  it("bench list also lists the config's own plugins that fail to load as broken, and the rest", async () => {
    const dir = join(project.dir, 'config-names-broken')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'bad.mjs'), "throw new Error('bad file')\n")
    writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ plugins: ['./bad.mjs', 'bonbench-plugin-broken', ['bonbench-plugin-dice', { faces: 4 }]] }))
    const result = await run(['list', '--json'], dir)
    expect(result.exitCode, result.stderr).toBe(0)
    const rows = JSON.parse(result.stdout) as Array<{ kind: string; name: string; error?: string }>
    expect(
      rows
        .filter((r) => r.kind === 'broken')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['./bad.mjs', 'bonbench-plugin-broken', 'bonbench-plugin-hang'])
    expect(rows.find((r) => r.name === './bad.mjs')!.error).toContain('bad file')
    expect(rows.some((r) => r.name === 'bonbench-plugin-dice/dice')).toBe(true)
  })

  it('bench run uses an installed package without the config naming it, despite the broken ones', async () => {
    const result = await run(['run', 'dice', '--model', 'roller', '--pretrain-steps', '0', '--n', '1,2', '--no-tui', '--no-reports'])
    expect(result.exitCode, result.stderr + result.stdout).toBe(0)
    expect(result.stdout).toContain('run directory:')
  })

  it('bench run and bench eval naming a plugin of a broken package fail (exit 2) with its error', async () => {
    // At once: each waits out the hanging package's deadline.
    const [ran, evaluated, verified] = await Promise.all([
      run(['run', 'bonbench-plugin-broken/task', '--dry-run']),
      run(['eval', 'dice', '--model', 'bonbench-plugin-hang/model', '--checkpoint', project.dir, '--no-tui']),
      run(['verify', 'dice', '--verifier', 'bonbench-plugin-broken/sum', '--data', project.dir, '--reference']),
    ])
    expect(ran.exitCode, ran.stderr).toBe(2)
    expect(ran.stderr).toContain('bonbench-plugin-broken, which failed to load')
    expect(ran.stderr).toContain('kaboom: missing native binding')
    expect(evaluated.exitCode, evaluated.stderr).toBe(2)
    expect(evaluated.stderr).toContain('bonbench-plugin-hang did not finish within 2 s')
    expect(verified.exitCode, verified.stderr).toBe(2)
    expect(verified.stderr).toContain('kaboom: missing native binding')
  })

  it("bench verify grades with an installed package's task and verifier, and with the config's --verifier; bench serve finds its model", async () => {
    // A project of its own with the dice package alone (under project.dir each command would wait
    // out the hanging package's import deadline).
    const own = tempDir('bonbench-discovery-verify-')
    const dir = own.dir
    cpSync(join(repoRoot, 'test/fixtures/bonbench-plugin-dice'), join(dir, 'node_modules/bonbench-plugin-dice'), { recursive: true })
    const verify = (args: string[]) => run(['verify', 'dice', '--data', dir, '--reference', '--k', '1', '--json', ...args], dir)
    const installed = await verify([])
    expect(installed.exitCode, installed.stderr).toBe(0)
    // The dice task's expert answers, graded by its own verifier.
    expect(JSON.parse(installed.stdout)).toMatchObject({
      task: 'bonbench-plugin-dice/dice',
      verifier: 'bonbench-plugin-dice/sum',
      samples: 18,
      passAtK: { '1': 1 },
    })
    writeFileSync(
      join(dir, 'never.mjs'),
      "export default { name: 'never', kind: 'verifier', meta: { version: '1.0.0' }, async score(batch) { return batch.map(() => ({ score: 0, reward: 0, pass: false, reason: 'never' })) } }\n",
    )
    writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ plugins: ['./never.mjs'] }))
    const configured = await verify(['--verifier', 'never'])
    expect(configured.exitCode, configured.stderr).toBe(0)
    expect(JSON.parse(configured.stdout)).toMatchObject({ verifier: 'never', samples: 18, passAtK: { '1': 0 } })
    // bench serve finds the package's model too (one that cannot load checkpoints: it says so by name).
    mkdirSync(join(dir, 'checkpoint'))
    writeFileSync(join(dir, 'checkpoint', 'checkpoint.json'), '{}')
    const served = await run(['serve', 'checkpoint', '--model', 'roller', '--port', '0'], dir)
    expect(served.exitCode, served.stderr).toBe(2)
    expect(served.stderr).toContain('bench serve: the model bonbench-plugin-dice/roller cannot load a checkpoint (it has no load()).')
    own.cleanup()
  })

  it('a plugin file the config names whose import never settles fails after the deadline, naming the file', async () => {
    const dir = join(project.dir, 'hanging-file')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'hang.mjs'), 'await new Promise(() => {})\nexport default {}\n')
    writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ plugins: ['./hang.mjs'] }))
    const started = Date.now()
    const result = await run(['run', 'toy', '--model', 'tabular', '--dry-run'], dir)
    expect(result.exitCode, result.stderr).toBe(2)
    expect(result.stderr).toContain(`${join(dir, 'hang.mjs')} did not finish within 2 s`)
    expect(result.stderr).toContain('BONBENCH_IMPORT_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(60_000)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('config loading hints', () => {
  // A folder of its own: under project.dir, discovery would find bonbench-plugin-hang above it and
  // wait the whole default deadline for it.
  const hints = tempDir('bonbench-config-hints-')
  afterAll(() => hints.cleanup())
  const config = "import { defineConfig } from 'bonbench'\n\nexport default defineConfig({ matrix: { task: 'toy', model: 'tabular' } })\n"

  it('a bench.config.ts or .js in a CommonJS project (no "type", or "type": "commonjs") loads', async () => {
    for (const [type, file] of [
      [undefined, 'bench.config.ts'],
      ['commonjs', 'bench.config.ts'],
      ['commonjs', 'bench.config.js'],
    ] as const) {
      const dir = join(hints.dir, `cjs-${type ?? 'none'}-${file}`)
      mkdirSync(join(dir, 'node_modules'), { recursive: true })
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'study', private: true, ...(type ? { type } : {}) }))
      // Installed as npm links a local package (test/e2e/package-import.test.ts does the same).
      symlinkSync(repoRoot, join(dir, 'node_modules/bonbench'), 'dir')
      writeFileSync(join(dir, file), config)
      const result = await runPatient(['run', '--dry-run'], dir)
      expect(result.exitCode, `${type} ${file}: ${result.stderr}`).toBe(0)
      expect(result.stdout).toContain('base-n1-t1-s0')
    }
  })

  it('a config importing bonbench from a folder where it is not installed says to install it', async () => {
    const dir = join(hints.dir, 'no-bonbench')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'study', private: true, type: 'module' }))
    writeFileSync(join(dir, 'bench.config.ts'), config)
    const result = await runPatient(['run', '--dry-run'], dir)
    expect(result.exitCode, result.stderr).toBe(2)
    expect(result.stderr).toContain("Cannot find package 'bonbench'")
    expect(result.stderr).toContain('npm i -D <path to it>: bonbench is not on the npm registry')
  })
})

describe('an installed package whose plugin has a required option', () => {
  // A folder of its own (under project.dir, discovery would also find the hanging package).
  const own = tempDir('bonbench-discovery-required-')
  afterAll(() => own.cleanup())

  it('is listed as a plugin that needs that option (discovery loads it with {}), not as broken, and <name> describes it', async () => {
    const pkg = join(own.dir, 'node_modules', 'bonbench-plugin-needs')
    mkdirSync(pkg, { recursive: true })
    symlinkSync(repoRoot, join(own.dir, 'node_modules/bonbench'), 'dir')
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'bonbench-plugin-needs', version: '0.3.0', type: 'module', exports: './index.js' }))
    writeFileSync(
      join(pkg, 'index.js'),
      `import { defineVerifier, z } from 'bonbench'
export default defineVerifier({
  name: 'bonbench-plugin-needs/grep',
  meta: { version: '0.3.0' },
  options: z.strictObject({ pattern: z.string().describe('Regex to match') }),
  create: () => ({ score: async (batch) => batch.map(() => ({ score: 1 })) }),
})
`,
    )
    const json = await runPatient(['list', '--json'], own.dir)
    expect(json.exitCode, json.stderr).toBe(0)
    const rows = JSON.parse(json.stdout) as Array<{ kind: string; name: string; source: string; needsOptions?: string[] }>
    expect(rows.filter((r) => r.kind === 'broken')).toEqual([])
    expect(rows.find((r) => r.name === 'bonbench-plugin-needs/grep')).toMatchObject({
      kind: 'verifier',
      source: 'npm:bonbench-plugin-needs@0.3.0',
      needsOptions: ['pattern'],
    })
    const described = await runPatient(['list', 'bonbench-plugin-needs/grep'], own.dir)
    expect(described.exitCode, described.stderr).toBe(0)
    expect(described.stdout).toContain("needs options: pattern (required; list it in the config as ['bonbench-plugin-needs', { pattern: … }])")
    expect(described.stdout).toContain('  pattern: string (required)\n      Regex to match')
  })
})
