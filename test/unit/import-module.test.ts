import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { execa } from 'execa'
import { afterAll, describe, expect, it } from 'vitest'
import { importModule } from '../../core/import-module.js'
import * as core from '../../core/index.js'
import * as testing from '../../core/testing/index.js'
import { repoRoot, tempDir } from '../e2e/cli-helper.js'

describe('importModule: a .js file in a CommonJS package', () => {
  const project = tempDir('bonbench-import-module-')
  afterAll(() => project.cleanup())
  const folder = (name: string, manifest: object) => {
    const dir = join(project.dir, name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest))
    return dir
  }

  it('with ES syntax: loads through tsx, and Node prints no "To load an ES module" warning (it leaked to stderr)', async () => {
    const dir = folder('esm-syntax', { type: 'commonjs' })
    const file = join(dir, 'len.js')
    writeFileSync(file, "// a verifier\nexport default (options = {}) => ({ name: 'my-lab/length', kind: 'verifier', options })\n")
    // Where bench runs from dist/, Node's own loader meets the file (here tsx's would hide the
    // warning): importModule compiled to plain JavaScript, run by a plain Node.
    const compiled = join(project.dir, 'compiled')
    mkdirSync(compiled)
    symlinkSync(join(repoRoot, 'node_modules'), join(compiled, 'node_modules'), 'dir')
    await build({
      entryPoints: [join(repoRoot, 'core/import-module.ts')],
      outfile: join(compiled, 'import-module.mjs'),
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
    })
    const script = `const { importModule } = await import(${JSON.stringify(pathToFileURL(join(compiled, 'import-module.mjs')).href)})
const mod = await importModule(${JSON.stringify(file)})
process.stdout.write(mod.default({}).name)`
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false })
    expect(result.stdout, result.stderr).toBe('my-lab/length')
    expect(result.stderr).not.toContain('To load an ES module')
    expect(result.stderr).toBe('')
  })

  it('with CommonJS syntax (require, module.exports, a dynamic import()): loads as CommonJS', async () => {
    const dir = folder('cjs-syntax', { name: 'no-type' })
    const file = join(dir, 'plain.js')
    // Lines that start with `import…`/`export…` words but are no ES statements stay CommonJS.
    writeFileSync(
      file,
      "const path = require('node:path')\nconst imports = [], exporter = {}\nimports.push(1)\nexporter.x = 1\nmodule.exports = { sep: path.sep, later: () => import('node:os') }\n",
    )
    const mod = (await importModule(file)) as { default: { sep: string } }
    expect(mod.default.sep).toBe('/')
  })
})

describe('importModule: a .ts file in a CommonJS package', () => {
  const project = tempDir('bonbench-import-module-ts-')
  afterAll(() => project.cleanup())

  it("gets the caller's own bonbench and bonbench/testing from require, not a copy of core compiled to CommonJS", async () => {
    const dir = join(project.dir, 'cjs-ts')
    mkdirSync(join(dir, 'node_modules'), { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cjs-ts', private: true }))
    symlinkSync(repoRoot, join(dir, 'node_modules/bonbench'), 'dir')
    const file = join(dir, 'plugin.ts')
    // Compiled as CommonJS: both imports become require calls; a helper module's too.
    writeFileSync(join(dir, 'helper.ts'), "import { getBudget } from 'bonbench'\nexport const helperBudget = getBudget\n")
    writeFileSync(
      file,
      "import { getBudget } from 'bonbench'\nimport * as testing from 'bonbench/testing'\nimport { helperBudget } from './helper'\nexport const core = require('bonbench')\nexport { getBudget, testing, helperBudget }\n",
    )
    const mod = (await importModule(file)) as { core: unknown; testing: unknown; getBudget: unknown; helperBudget: unknown }
    expect(mod.core).toBe(core)
    expect(mod.getBudget).toBe(core.getBudget)
    expect(mod.helperBudget).toBe(core.getBudget)
    expect((mod.testing as typeof testing).assertContract).toBe(testing.assertContract)
  })
})
