import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { scaffoldPlugin } from '../../../cli/create-plugin/scaffold.js'
import { pluginTemplates } from '../../../cli/create-plugin/templates/index.js'
import { isBenchError } from '../../../core/errors.js'

// The scaffold in-process; test/e2e/create-plugin.test.ts compiles, tests and runs what it writes.
const versions = { bonbench: '0.1.0', typescript: '5.9.3', typesNode: '20.19.43', bonbenchRoot: '/opt/bonbench' }

describe('scaffoldPlugin', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'bonbench-scaffold-'))
  afterAll(() => rmSync(cwd, { recursive: true, force: true }))

  it.each(Object.keys(pluginTemplates))('writes a %s package named after <name>, with the kit, one option and the contract tester', (kind) => {
    const made = scaffoldPlugin({ kind, name: `my-${kind}-2`, cwd, versions })
    expect(made).toMatchObject({
      dir: join(cwd, `bonbench-plugin-my-${kind}-2`),
      packageName: `bonbench-plugin-my-${kind}-2`,
      pluginName: `bonbench-plugin-my-${kind}-2/my-${kind}-2`,
    })
    expect(readdirSync(made.dir).sort()).toEqual(['.gitignore', '.npmrc', 'README.md', 'package.json', 'src', 'tsconfig.json'])
    const manifest = JSON.parse(readFileSync(join(made.dir, 'package.json'), 'utf8'))
    expect(manifest).toMatchObject({
      type: 'module',
      peerDependencies: { bonbench: '^0.1.0' },
      devDependencies: { typescript: '^5.9.3', '@types/node': '^20.19.43' },
      scripts: { build: 'tsc', test: 'npm run build && node --test dist/*.test.js' },
    })
    const source = readFileSync(join(made.dir, 'src', 'index.ts'), 'utf8')
    const identifier = `my${kind[0]!.toUpperCase()}${kind.slice(1)}2`
    expect(source).toContain(`export const ${identifier} = define${kind[0]!.toUpperCase()}${kind.slice(1)}({`)
    expect(source).toContain(`name: 'bonbench-plugin-my-${kind}-2/my-${kind}-2'`)
    expect(source).toContain("apiVersion: '^0.1.0'")
    expect(source.match(/\.describe\(/g)).toHaveLength(1)
    const test = readFileSync(join(made.dir, 'src', 'index.test.ts'), 'utf8')
    expect(test).toContain(`check${kind[0]!.toUpperCase()}${kind.slice(1)}Contract(${identifier}(`)
    expect(readFileSync(join(made.dir, 'README.md'), 'utf8')).toContain(`# bonbench-plugin-my-${kind}-2`)
  })

  // bonbench is not on the npm registry, and npm (≥ 7) installs peer dependencies: with only the
  // peer dependency, `npm install` in the scaffold fails with E404 (test/e2e/create-plugin.test.ts
  // runs it). The scaffold also depends on the bonbench that made it, by path.
  it('depends on the bonbench that made it by path (file:), beside the peer dependency, and keeps npm from running its build', () => {
    const made = scaffoldPlugin({ kind: 'verifier', name: 'by-path', cwd, versions })
    const manifest = JSON.parse(readFileSync(join(made.dir, 'package.json'), 'utf8'))
    expect(manifest.peerDependencies).toEqual({ bonbench: '^0.1.0' })
    expect(manifest.devDependencies).toEqual({ '@types/node': '^20.19.43', bonbench: 'file:/opt/bonbench', typescript: '^5.9.3' })
    // npm runs a folder dependency's prepare script (bonbench's rebuilds it) unless scripts are off.
    expect(readFileSync(join(made.dir, '.npmrc'), 'utf8')).toMatch(/^ignore-scripts=true$/m)
    const readme = readFileSync(join(made.dir, 'README.md'), 'utf8')
    expect(readme).not.toContain('npmjs.com/package/bonbench')
    expect(readme).toContain('file:/opt/bonbench')
    expect(readme).toContain('npm test && npm publish')
  })

  // A config's short name that is a built-in's means the built-in (docs/plugins.md): the README's
  // config would use bonbench:toy-answer, not the scaffolded plugin.
  it.each([
    ['verifier', 'toy-answer', 'verifier bonbench:toy-answer', 'my-toy-answer'],
    ['strategy', 'bonbench-plugin-sft', 'strategy bonbench:sft', 'my-sft'],
    ['task', 'tabular', 'model bonbench:tabular', 'my-tabular'],
  ])("refuses %s %s, a built-in's short name, saying why and suggesting another, and writes nothing", (kind, name, builtin, suggestion) => {
    const error = catchError(() => scaffoldPlugin({ kind, name, cwd, versions }))
    expect(isBenchError(error) && error.code).toBe('BENCH_USAGE')
    expect((error as Error).message).toContain(`is the short name of the built-in ${builtin}`)
    expect((error as Error).message).toContain(`e.g. '${suggestion}'`)
    expect(readdirSync(cwd).filter((entry) => entry.endsWith(name.replace('bonbench-plugin-', '')))).toEqual([])
  })

  it('takes the name with its bonbench-plugin- prefix too, and an empty --dir', () => {
    const dir = join(cwd, 'empty')
    mkdirSync(dir)
    expect(scaffoldPlugin({ kind: 'verifier', name: 'bonbench-plugin-exact', dir: 'empty', cwd, versions })).toMatchObject({
      dir,
      pluginName: 'bonbench-plugin-exact/exact',
    })
  })

  it.each([
    [{ kind: 'scorer', name: 'x' }, /^<kind> 'scorer' is not a plugin kind; use one of task, model, verifier, strategy, reporter/],
    [{ kind: 'task', name: 'Upper' }, /^<name> 'Upper' is not a valid plugin name/],
    [{ kind: 'task', name: '9lives' }, /^<name> '9lives' is not a valid plugin name/],
    [{ kind: 'task', name: 'a--b' }, /^<name> 'a--b' is not a valid plugin name/],
    [{ kind: 'task', name: '@scope/x' }, /^<name> '@scope\/x' is not a valid plugin name/],
  ])('refuses %o with BENCH_USAGE naming the argument', (args, message) => {
    const error = catchError(() => scaffoldPlugin({ ...args, cwd, versions }))
    expect(isBenchError(error) && error.code).toBe('BENCH_USAGE')
    expect((error as Error).message).toMatch(message)
  })

  it('refuses a --dir that is not empty, or is a file, and writes nothing', () => {
    const full = join(cwd, 'full')
    mkdirSync(full)
    writeFileSync(join(full, 'keep.txt'), 'mine')
    writeFileSync(join(cwd, 'file'), 'x')
    expect((catchError(() => scaffoldPlugin({ kind: 'task', name: 'a', dir: 'full', cwd, versions })) as Error).message).toMatch(
      /^--dir full already exists and is not empty/,
    )
    expect((catchError(() => scaffoldPlugin({ kind: 'task', name: 'a', dir: 'file', cwd, versions })) as Error).message).toMatch(
      /^--dir file is a file, not a folder/,
    )
    expect(readdirSync(full)).toEqual(['keep.txt'])
  })
})

function catchError(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected an error')
}
