import { Ajv2020 } from 'ajv/dist/2020.js'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { builtins } from '../../cli/builtins.js'
import { benchInProcess } from './cli-help.js'
import { bench, repoRoot, tempDir } from './cli-helper.js'

interface Row {
  kind: string
  name: string
  source: string
  options: Record<string, unknown> | null
}

// `bench list --json` shows each plugin's options as JSON Schema; `bench list <name>` prints them.
describe('bench list: plugin options', () => {
  const project = tempDir('bonbench-list-')
  afterAll(() => project.cleanup())

  it('--json gives every built-in a valid JSON Schema of its options, which accepts its defaults and rejects a wrong option', async () => {
    const result = await benchInProcess(['list', '--json'], { cwd: project.dir })
    expect(result.exitCode, result.stderr).toBe(0)
    const rows = JSON.parse(result.stdout) as Row[]
    const ajv = new Ajv2020({ strict: false })
    const builtinRows = rows.filter((r) => r.source === 'built-in')
    expect(builtinRows.map((r) => r.name.replace('bonbench:', '')).sort()).toEqual(Object.keys(builtins).sort())
    for (const row of builtinRows) {
      expect(row.options, row.name).toMatchObject({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' })
      const validate = ajv.compile(row.options!)
      expect(validate({}), `${row.name}: ${ajv.errorsText(validate.errors)}`).toBe(true)
      expect(validate({ 'no-such-option': 1 }), row.name).toBe(false)
      // Every option says what it is for.
      for (const [key, property] of Object.entries(row.options!.properties as Record<string, { description?: string }>))
        expect(property.description, `${row.name} ${key}`).toBeTruthy()
    }
    const tiny = builtinRows.find((r) => r.name === 'bonbench:tiny-transformer')!
    const validate = ajv.compile(tiny.options!)
    expect(validate({ layers: 3, positions: 'rotary' })).toBe(true)
    expect(validate({ layers: 0 })).toBe(false)
    expect(validate({ positions: 'alibi' })).toBe(false)
  })

  it('<name> prints one plugin: its facts, then each option with type, default and description', async () => {
    const result = await benchInProcess(['list', 'bon-rlb'], { cwd: project.dir })
    expect(result.exitCode, result.stderr).toBe(0)
    const text = result.stdout
    expect(text).toMatch(/^bonbench:bon-rlb \(strategy, version 0\.1\.0, built-in\)\n/)
    expect(text).toContain('options:\n')
    expect(text).toContain('  k: integer\n      K, policy samples per prompt (default max(2N′, 4)).\n')
    expect(text).toContain('  neg-sign: -1 | 1 = -1\n')
    expect(text).toContain('  p-fail: "estimate" | "exact" = "estimate"\n')
    const none = await benchInProcess(['list', 'sft'], { cwd: project.dir })
    expect(none.stdout).toContain('options: none')
  })

  it('<name> finds a plugin from the config and says so when the name is unknown', async () => {
    writeFileSync(
      join(project.dir, 'my-plugin.mjs'),
      "export default { name: 'acme/plain', kind: 'verifier', meta: { version: '2.0.0', description: 'no schema' }, score: async () => [] }\n",
    )
    writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify({ plugins: ['./my-plugin.mjs'] }))
    const plain = await benchInProcess(['list', 'acme/plain'], { cwd: project.dir })
    expect(plain.exitCode, plain.stderr).toBe(0)
    expect(plain.stdout).toMatch(/acme\/plain \(verifier, version 2\.0\.0, file:.*my-plugin\.mjs\)\nno schema\n\noptions: not described/)
    // A plugin whose schema comes from its own zod, not the copy the compiled bonbench bundles
    // (scripts/vendor-zod.mjs): its descriptions and defaults still reach the listing. The real
    // executable (the build) lists it: in this process the CLI runs from the sources, whose zod is
    // the plugin's own.
    const ownZod = pathToFileURL(join(repoRoot, 'node_modules', 'zod', 'index.js')).href
    writeFileSync(
      join(project.dir, 'own-zod.mjs'),
      `import { z } from '${ownZod}'\nexport default { name: 'acme/own-zod', kind: 'verifier', meta: { version: '1.0.0' }, optionsSchema: z.strictObject({ tolerance: z.number().default(0.5).describe('Largest error that passes') }), score: async () => [] }\n`,
    )
    writeFileSync(join(project.dir, 'bench.config.json'), JSON.stringify({ plugins: ['./my-plugin.mjs', './own-zod.mjs'] }))
    const own = await bench(['list', 'acme/own-zod'], { cwd: project.dir })
    expect(own.exitCode, own.stderr).toBe(0)
    expect(own.stdout).toMatch(/options:\n {2}tolerance: number = 0\.5\n {6}Largest error that passes/)
    const missing = await benchInProcess(['list', 'nope'], { cwd: project.dir })
    expect(missing.exitCode).not.toBe(0)
    expect(missing.stderr).toMatch(/No plugin named 'nope'\. Known plugins: .*acme\/plain/)
  })
})

// A plugin with a required option (a zod field without .default()) cannot be made from `{}`, which
// is how a listing without options (and every installed package) loads it: it is listed, and
// described from its schema, as a plugin whose required options must be given — not as broken.
describe('bench list: plugins with required options', () => {
  const project = tempDir('bonbench-list-required-')
  afterAll(() => project.cleanup())
  const dir = project.dir
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(repoRoot, join(dir, 'node_modules/bonbench'), 'dir')
  writeFileSync(
    join(dir, 'required.mjs'),
    `import { defineVerifier, z } from 'bonbench'
export default defineVerifier({
  name: 'my-lab/required',
  meta: { version: '1.0.0', description: 'Matches a pattern' },
  options: z.strictObject({ pattern: z.string().describe('Regex to match'), flags: z.string().default('').describe('Regex flags') }),
  create: ({ pattern, flags }) => ({ score: async (batch) => batch.map((b) => ({ score: new RegExp(pattern, flags).test(String(b.output)) ? 1 : 0 })) }),
})
`,
  )
  // Fails for another reason than a missing option: still broken.
  writeFileSync(
    join(dir, 'throws.mjs'),
    `import { defineVerifier } from 'bonbench'
export default defineVerifier({ name: 'my-lab/throws', meta: { version: '1.0.0' }, create: () => { throw new Error('no model file') } })
`,
  )
  const config = (plugins: unknown[]) => writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ plugins }))

  it('listed without options, it is a plugin that needs them (not broken); a plugin failing otherwise stays broken', async () => {
    config(['./required.mjs', './throws.mjs'])
    const table = await benchInProcess(['list'], { cwd: dir })
    expect(table.exitCode, table.stderr).toBe(0)
    expect(table.stdout).toMatch(/verifier\s+my-lab\/required\s+file:.*required\.mjs\s+1\.0\.0/)
    expect(table.stdout).toMatch(/need options .*\n {2}my-lab\/required {2}required: pattern {2}\(\.\/required\.mjs\)\n\nbroken/)
    const brokenPart = table.stdout.slice(table.stdout.indexOf('broken ('))
    expect(brokenPart).toContain('./throws.mjs')
    expect(brokenPart).toContain('no model file')
    expect(brokenPart).not.toContain('my-lab/required')

    const json = await benchInProcess(['list', '--json'], { cwd: dir })
    expect(json.exitCode, json.stderr).toBe(0)
    const rows = JSON.parse(json.stdout) as Array<Row & { needsOptions?: string[] }>
    const row = rows.find((r) => r.name === 'my-lab/required')!
    expect(row).toMatchObject({ kind: 'verifier', version: '1.0.0', needsOptions: ['pattern'], options: { required: ['pattern'] } })
    expect(rows.filter((r) => r.kind === 'broken').map((r) => r.name)).toEqual(['./throws.mjs'])
  })

  it('<name> describes it from its schema, required options marked, with the line to write', async () => {
    config(['./required.mjs'])
    for (const name of ['my-lab/required', 'required']) {
      const result = await benchInProcess(['list', name], { cwd: dir })
      expect(result.exitCode, result.stderr).toBe(0)
      expect(result.stdout).toMatch(/^my-lab\/required \(verifier, version 1\.0\.0, file:.*required\.mjs\)\nMatches a pattern\n/)
      expect(result.stdout).toContain("needs options: pattern (required; list it in the config as ['./required.mjs', { pattern: … }])")
      expect(result.stdout).toContain('options:\n  pattern: string (required)\n      Regex to match\n  flags: string = ""\n      Regex flags')
    }
    const json = await benchInProcess(['list', 'my-lab/required', '--json'], { cwd: dir })
    expect(json.exitCode, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'my-lab/required', needsOptions: ['pattern'], options: { required: ['pattern'] } })
  })

  it('given options its schema rejects, <name> describes its options with the error (exit 0), as the error says', async () => {
    config([['./required.mjs', { pattern: 'a+', flags: 3 }]])
    const result = await benchInProcess(['list', 'my-lab/required'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toMatch(/^my-lab\/required \(verifier, version 1\.0\.0, file:.*required\.mjs\)\n/)
    expect(result.stdout).toMatch(/the config's options are invalid: my-lab\/required.*: invalid options: flags: .*\(got 3\)/)
    expect(result.stdout).toContain('options:\n  pattern: string (required)\n      Regex to match\n  flags: string = ""\n      Regex flags')
    const json = await benchInProcess(['list', 'required', '--json'], { cwd: dir })
    expect(json.exitCode, json.stderr).toBe(0)
    expect(JSON.parse(json.stdout)).toMatchObject({
      name: 'my-lab/required',
      options: { required: ['pattern'] },
      optionsError: { code: 'BENCH_PLUGIN_OPTIONS' },
    })
  })

  it('given its options, it is made as usual, and <name> still marks the required option', async () => {
    config([['./required.mjs', { pattern: 'a+' }]])
    const result = await benchInProcess(['list', 'my-lab/required'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('  pattern: string (required)\n')
    expect(result.stdout).not.toContain('needs options')
    const table = await benchInProcess(['list'], { cwd: dir })
    expect(table.stdout).not.toContain('need options')
    const json = await benchInProcess(['list', 'my-lab/required', '--json'], { cwd: dir })
    const row = JSON.parse(json.stdout) as Row & { needsOptions?: string[] }
    expect(row.needsOptions).toBeUndefined()
    expect(row.options).toMatchObject({ required: ['pattern'] })
  })
})
