import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { moduleLoadHint } from '../../core/module-load-hints.js'
import { tempDir } from '../e2e/cli-helper.js'

describe('moduleLoadHint', () => {
  const project = tempDir('bonbench-hints-')
  afterAll(() => project.cleanup())
  const folder = (name: string, manifest?: object) => {
    const dir = join(project.dir, name)
    mkdirSync(dir, { recursive: true })
    if (manifest) writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest))
    return dir
  }

  it('says to install bonbench when the module cannot find it', () => {
    const file = join(folder('esm', { type: 'module' }), 'bench.config.ts')
    const error = Object.assign(new Error(`Cannot find package 'bonbench' imported from ${file}`), { code: 'ERR_MODULE_NOT_FOUND' })
    expect(moduleLoadHint(file, error)).toContain('npm i -D <path to it>: bonbench is not on the npm registry')
    expect(moduleLoadHint(file, new Error("Cannot find module 'lodash'"))).toBe('')
  })

  it('says to use .mjs or "type": "module" for ES module errors in a CommonJS package', () => {
    for (const manifest of [{ type: 'commonjs' }, { name: 'no-type' }]) {
      const file = join(folder(`cjs-${Object.values(manifest)[0]}`, manifest), 'bench.config.js')
      const hint = moduleLoadHint(file, new SyntaxError('Cannot use import statement outside a module'))
      expect(hint).toContain('.mjs')
      expect(hint).toContain('"type": "module"')
      expect(moduleLoadHint(file, Object.assign(new Error('require() of ES Module'), { code: 'ERR_REQUIRE_ESM' }))).toContain('.mjs')
    }
    const esm = join(folder('esm2', { type: 'module' }), 'bench.config.js')
    expect(moduleLoadHint(esm, new SyntaxError('Cannot use import statement outside a module'))).toBe('')
  })
})
