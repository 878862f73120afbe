import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { benchInProcess } from './cli-help.js'
import { repoRoot, tempDir } from './cli-helper.js'

// `bench list` and what failed to load: a plugin package installed by path before it was built, a
// config's plugin file that fails validation, a plugin whose options the config gave are invalid.
// In process (benchInProcess): these are listings, not about the process.
describe('bench list: plugins that failed to load', () => {
  const project = tempDir('bonbench-list-broken-')
  afterAll(() => project.cleanup())
  const dir = project.dir
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(repoRoot, join(dir, 'node_modules/bonbench'), 'dir')
  // What `bench create-plugin verifier unbuilt` then `npm i ../bonbench-plugin-unbuilt` leaves when
  // npm test has not run yet: a linked package whose dist/ does not exist.
  const unbuilt = join(dir, 'bonbench-plugin-unbuilt')
  mkdirSync(join(unbuilt, 'src'), { recursive: true })
  writeFileSync(
    join(unbuilt, 'package.json'),
    JSON.stringify({
      name: 'bonbench-plugin-unbuilt',
      version: '0.1.0',
      type: 'module',
      keywords: ['bonbench', 'bonbench-plugin', 'bonbench-verifier'],
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      scripts: { build: 'tsc', test: 'npm run build && node --test dist/*.test.js' },
    }),
  )
  symlinkSync(unbuilt, join(dir, 'node_modules/bonbench-plugin-unbuilt'), 'dir')
  writeFileSync(join(dir, 'wrong-kind.mjs'), "export default { name: 'rev/wrong-kind', kind: 'verfier', meta: { version: '1.0.0' }, score: async () => [] }\n")
  writeFileSync(
    join(dir, 'opts.mjs'),
    `import { defineVerifier, z } from 'bonbench'
export default defineVerifier({
  name: 'rev/opts',
  meta: { version: '1.0.0' },
  options: z.strictObject({ scale: z.number().positive().default(1).describe('Scale'), need: z.string().describe('A required one') }),
  create: ({ scale }) => ({ score: async (batch) => batch.map(() => ({ score: scale, reason: 'x' })) }),
})
`,
  )
  const config = (plugins: unknown[]) => writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ plugins }))
  const list = (...args: string[]) => benchInProcess(['list', ...args], { cwd: dir })

  it("<short name> of an installed package that failed to load gives the package's error, and says to build a package whose entry file is missing", async () => {
    config([])
    for (const name of ['unbuilt', 'bonbench-plugin-unbuilt/unbuilt']) {
      const result = await list(name)
      expect(result.exitCode, name).toBe(2)
      expect(result.stderr).toContain(`'${name}' comes from the installed package bonbench-plugin-unbuilt, which failed to load:`)
      expect(result.stderr).toContain('dist/index.js')
      expect(result.stderr).toContain(
        `Its entry file dist/index.js is missing: the package is not built. Run \`npm run build\` (or \`npm test\`, which builds it first) in ${realpathSync(unbuilt)}.`,
      )
    }
    const table = await list()
    expect(table.exitCode, table.stderr).toBe(0)
    expect(table.stdout).toContain('broken (installed, failed to load')
    expect(table.stdout).toContain('Its entry file dist/index.js is missing: the package is not built.')
  })

  it('<name> that nothing provides lists what failed to load, as bench run does: a config file may hold it', async () => {
    config(['./wrong-kind.mjs'])
    const result = await list('wrong-kind')
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain("No plugin named 'wrong-kind'.")
    expect(result.stderr).toMatch(/Plugins that failed to load \(one may hold it\):\n {2}\.\/wrong-kind\.mjs: .*unknown kind 'verfier'/)
    expect(result.stderr).toMatch(/\n {2}bonbench-plugin-unbuilt: .*dist\/index\.js/)
  })

  it("the config's own files that failed to load are listed apart from the installed packages", async () => {
    config(['./wrong-kind.mjs'])
    const table = await list()
    expect(table.exitCode, table.stderr).toBe(0)
    const configPart = table.stdout.slice(table.stdout.indexOf("broken (the config's plugins that failed to load"), table.stdout.indexOf('broken (installed'))
    expect(configPart).toContain('./wrong-kind.mjs')
    expect(configPart).not.toContain('bonbench-plugin-unbuilt')
    expect(table.stdout.slice(table.stdout.indexOf('broken (installed'))).toContain('bonbench-plugin-unbuilt')
  })

  it('--kind leaves out the broken entries known to hold no plugin of that kind, and keeps those whose kind is unknown', async () => {
    config(['./wrong-kind.mjs'])
    const brokenNames = async (kind: string) => {
      const result = await list('--kind', kind, '--json')
      expect(result.exitCode, result.stderr).toBe(0)
      const rows = JSON.parse(result.stdout) as Array<{ kind: string; name: string; hint?: string }>
      return rows.filter((r) => r.kind === 'broken').map((r) => r.name)
    }
    // bonbench-plugin-unbuilt's package.json says `bonbench-verifier`; the file's kind is unknown.
    expect(await brokenNames('strategy')).toEqual(['./wrong-kind.mjs'])
    expect(await brokenNames('verifier')).toEqual(['./wrong-kind.mjs', 'bonbench-plugin-unbuilt'])
    const table = await list('--kind', 'strategy')
    expect(table.stdout).not.toContain('bonbench-plugin-unbuilt')
  })

  it('given options one of which is invalid, <name> reports that one, not the options the config gave as missing', async () => {
    config([['./opts.mjs', { scale: 0, need: 'given' }]])
    const result = await list('opts')
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/the config's options are invalid: rev\/opts: invalid options: scale: /)
    expect(result.stdout).not.toContain('needs options')
    expect(result.stdout).toContain('  need: string (required)\n')
    const json = await list('opts', '--json')
    expect(json.exitCode, json.stderr).toBe(0)
    const row = JSON.parse(json.stdout) as { needsOptions?: string[]; optionsError?: { code: string } }
    expect(row.needsOptions).toBeUndefined()
    expect(row.optionsError?.code).toBe('BENCH_PLUGIN_OPTIONS')
    // An option the config left out is still reported as needed, beside the invalid one.
    config([['./opts.mjs', { scale: 0 }]])
    const lacking = await list('opts')
    expect(lacking.stdout).toContain("needs options: need (required; list it in the config as ['./opts.mjs', { need: … }])")
    expect(lacking.stdout).toMatch(/the config's options are invalid: rev\/opts: invalid options: scale: /)
  })
})
