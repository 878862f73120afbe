import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, repoRoot, tempDir } from './cli-helper.js'

// Issue 19 §6: a default npm project ("type": "commonjs", or no type) — the cases
// test/e2e/plugin-discovery.test.ts ("config loading hints") does not cover.
describe('bench in a CommonJS npm project', () => {
  const project = tempDir('bonbench-cjs-')
  afterAll(() => project.cleanup())

  const folder = (name: string, opts: { type?: string; bonbench?: boolean }) => {
    const dir = join(project.dir, name)
    mkdirSync(join(dir, 'node_modules'), { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, ...(opts.type ? { type: opts.type } : {}) }))
    if (opts.bonbench) symlinkSync(repoRoot, join(dir, 'node_modules/bonbench'), 'dir')
    return dir
  }

  it('a bench.config.js without bonbench installed says to install it, not an unrelated module error', async () => {
    const dir = folder('no-bonbench-cjs', {})
    writeFileSync(
      join(dir, 'bench.config.js'),
      "import { defineConfig } from 'bonbench'\nexport default defineConfig({ matrix: { task: 'toy', model: 'tabular' } })\n",
    )
    const result = await bench(['run', '--dry-run'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(2)
    expect(result.stderr).toContain(`Config file ${join(dir, 'bench.config.js')} failed to load`)
    expect(result.stderr).toContain('npm i -D <path to it>: bonbench is not on the npm registry')
  })

  it('a plugin file with ES module syntax beside the config loads in a "type": "commonjs" project', async () => {
    const dir = folder('esm-plugin-cjs', { type: 'commonjs', bonbench: true })
    writeFileSync(
      join(dir, 'bench.config.js'),
      "import { defineConfig } from 'bonbench'\nexport default defineConfig({ plugins: ['./my-task.js'], matrix: { task: 'my-task', model: 'tabular' } })\n",
    )
    writeFileSync(
      join(dir, 'my-task.js'),
      `export default { name: 'acme/my-task', kind: 'task', meta: { version: '1.0.0' }, rewardVerifier: 'toy-answer',
  async load() { return { train: [{ id: 'a', prompt: '1+1=', expert: '2', answer: '2' }], test: [{ id: 'b', prompt: '2+2=', answer: '4' }] } } }
`,
    )
    const result = await bench(['run', '--dry-run'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('plan: 1 cells')
    // Node's warning of its failed first try (core/import-module.ts goes to tsx first instead).
    expect(result.stderr).not.toContain('To load an ES module')
  })

  it('a .ts config and plugin that import bonbench get its core the CLI runs on, not a second copy compiled to CommonJS', async () => {
    // tsx compiles them as CommonJS: `import … from 'bonbench'` becomes require('bonbench'), which
    // core/import-module.ts answers with the ES module the CLI loaded (dist/core/index.js, or
    // core/index.ts from the sources) instead of letting tsx load all of core again as CommonJS.
    const dir = folder('ts-cjs', { bonbench: true })
    writeFileSync(
      join(dir, 'bench.config.ts'),
      "import { defineConfig } from 'bonbench'\nexport default defineConfig({ plugins: ['./my-task.ts'], matrix: { task: 'my-task', model: 'tabular' } })\n",
    )
    writeFileSync(
      join(dir, 'my-task.ts'),
      `import { defineConfig } from 'bonbench'
import { assertContract } from 'bonbench/testing'
import { dirname, sep } from 'node:path'
const core = require('bonbench')
const coreDir = dirname(require.resolve('bonbench').split('?')[0]) + sep
const isModule = (value: unknown) => Object.prototype.toString.call(value) === '[object Module]'
const copies = Object.keys(require.cache).filter((key) => key.startsWith(coreDir) && !isModule(require.cache[key]!.exports))
if (!isModule(core) || !isModule(require('bonbench/testing')) || copies.length > 0 || typeof assertContract !== 'function' || core.defineConfig !== defineConfig)
  throw new Error(\`bonbench loaded a second time: \${copies.length} modules (\${copies.slice(0, 2).join(', ')}), require('bonbench') is \${Object.prototype.toString.call(core)}\`)
export default { name: 'acme/my-task', kind: 'task', meta: { version: '1.0.0' }, rewardVerifier: 'toy-answer',
  async load() { return { train: [{ id: 'a', prompt: '1+1=', expert: '2', answer: '2' }], test: [{ id: 'b', prompt: '2+2=', answer: '4' }] } } }
`,
    )
    const result = await bench(['run', '--dry-run'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('plan: 1 cells')
  })

  it('a plugin .mjs file with a syntax error fails (exit 2) naming the file and its line, as Node does for an uncaught one', async () => {
    const dir = folder('syntax-error-plugin', { bonbench: true })
    writeFileSync(join(dir, 'bench.config.mjs'), "export default { plugins: ['./my-verifier.mjs'] }\n")
    writeFileSync(join(dir, 'my-verifier.mjs'), "export default {\n  name: 'my-lab/v',\n  kind: 'verifier' meta: { version: '1.0.0' }\n}\n")
    const result = await bench(['run', 'toy', '--dry-run'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(2)
    const file = join(dir, 'my-verifier.mjs')
    expect(result.stderr).toContain(`bench: Could not load the plugin file ${file}: Unexpected identifier 'meta' (at ${file}:3).`)
  })

  it('a CommonJS bench.config.js (require, module.exports) loads', async () => {
    const dir = folder('require-cjs', { bonbench: true })
    writeFileSync(
      join(dir, 'bench.config.js'),
      "const { defineConfig } = require('bonbench')\nmodule.exports = defineConfig({ matrix: { task: 'toy', model: 'tabular' } })\n",
    )
    const result = await bench(['run', '--dry-run'], { cwd: dir })
    expect(result.exitCode, result.stderr).toBe(0)
    expect(result.stdout).toContain('base-n1-t1-s0')
  })
})
