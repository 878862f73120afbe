import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type * as TS from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { builtins } from '../../../cli/builtins.js'
import { exportIdentifier } from '../../../cli/create-plugin/export-identifier.js'
import { scaffoldPlugin } from '../../../cli/create-plugin/scaffold.js'
import { pluginTemplates } from '../../../cli/create-plugin/templates/index.js'
import type { PluginKind } from '../../../core/plugin-api/common.js'

// TypeScript through require: an ESM import of its 9 MB CommonJS file has Node scan it for named
// exports first (about 0.3 s of CPU).
const ts = createRequire(import.meta.url)('typescript') as typeof TS

const versions = { bonbench: '0.1.0', typescript: '5.9.3', typesNode: '20.19.43', bonbenchRoot: '/opt/bonbench' }
const kinds = Object.keys(pluginTemplates) as PluginKind[]

/** Every identifier of a TypeScript text, by its syntax tree: what a name could clash with. */
function identifiers(text: string): Set<string> {
  const found = new Set<string>()
  const visit = (node: TS.Node): void => {
    if (ts.isIdentifier(node)) found.add(node.text)
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile('t.ts', text, ts.ScriptTarget.ES2022, true))
  return found
}

/** Every keyword TypeScript knows, contextual ones (`type`, `of`, `async`) included. */
const keywords = Array.from({ length: ts.SyntaxKind.LastKeyword - ts.SyntaxKind.FirstKeyword + 1 }, (_, i) => ts.tokenToString(ts.SyntaxKind.FirstKeyword + i)!)

const kebab = (identifier: string) => identifier.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

describe('exportIdentifier: the name the scaffold exports the plugin as', () => {
  it.each([
    ['exact-answer', 'verifier', 'exactAnswer'],
    ['my-task-2', 'task', 'myTask2'],
    ['class', 'verifier', 'classVerifier'],
    ['default', 'task', 'defaultTask'],
    ['new', 'model', 'newModel'],
    ['await', 'strategy', 'awaitStrategy'],
    ['enum', 'reporter', 'enumReporter'],
    ['z', 'verifier', 'zVerifier'],
    ['test', 'verifier', 'testVerifier'],
    ['assert', 'verifier', 'assertVerifier'],
    ['define-verifier', 'verifier', 'defineVerifierVerifier'],
    ['problem', 'verifier', 'problemVerifier'],
    ['join', 'reporter', 'joinReporter'],
    ['create-rng', 'model', 'createRngModel'],
    // Only a name this kind's template uses is avoided: the reporter's template has no createRng.
    ['create-rng', 'reporter', 'createRng'],
  ] as const)('%s (%s) → %s', (name, kind, identifier) => {
    expect(exportIdentifier(name, kind)).toBe(identifier)
  })

  it('avoids every identifier each template declares or uses', () => {
    for (const kind of kinds) {
      const template = pluginTemplates[kind]
      const ctx = {
        name: 'x',
        packageName: 'bonbench-plugin-x',
        pluginName: 'bonbench-plugin-x/x',
        identifier: 'xx',
        bonbenchRange: '^0.1.0',
        bonbenchRoot: '/',
      }
      for (const used of [...identifiers(template.source(ctx)), ...identifiers(template.test(ctx))])
        if (/^[a-z][a-zA-Z0-9]*$/.test(used) && used !== 'xx') expect(exportIdentifier(kebab(used), kind), `${kind} ${used}`).not.toBe(used)
    }
  })
})

// The scaffold's own tsc (test/e2e/create-plugin.test.ts) is the whole check, with bonbench
// installed; here, in process, TypeScript checks the packages of the names that clashed, and of
// every keyword (a contextual one such as \`type\` or \`of\` stays the name), with 'bonbench' and
// node's modules unresolved: what is left is the syntax and binding errors a name causes — a
// reserved word (TS1003), a duplicate or shadowed binding (TS2300, TS2395, TS2440).
describe('bench create-plugin <kind> <name>, with a name that is a keyword or a name its template uses', () => {
  // Some 110 packages of 7 files: in memory where Linux has /dev/shm (on this disk each new file
  // cost about a millisecond of CPU), else in the temporary folder.
  const cwd = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'bonbench-identifier-'))
  afterAll(() => rmSync(cwd, { recursive: true, force: true }))

  it('writes a package that compiles', () => {
    const clashing: Record<PluginKind, string[]> = {
      verifier: [...keywords, 'z', 'test', 'assert', 'define-verifier', 'problem', 'undefined', 'global-this', 'module', 'process'],
      task: ['default', 'z', 'create-rng', 'problem', 'count', 'test-split'],
      model: ['create-rng', 'request', 'complete', 'undefined'],
      strategy: ['await', 'create-rng', 'policy', 'sequences'],
      reporter: ['enum', 'join', 'write-file', 'reporter', 'events'],
    }
    const files: string[] = []
    for (const [kind, names] of Object.entries(clashing)) {
      for (const name of new Set(names)) {
        if (Object.hasOwn(builtins, name)) continue // refused: a built-in's short name
        const made = scaffoldPlugin({ kind, name, dir: `${kind}-${name}`, cwd, versions })
        files.push(join(made.dir, 'src', 'index.ts'), join(made.dir, 'src', 'index.test.ts'))
      }
    }
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      types: [],
      lib: ['lib.es2022.d.ts'],
      // TypeScript's own lib.*.d.ts are not checked (the packages are modules: what they declare
      // cannot clash with a global there, and a clash is reported in the package's file too).
      skipDefaultLibCheck: true,
    })
    // Unresolved: TS2307 (the module), and the implicit anys an unresolved import leaves behind.
    const unresolved = new Set([2307, 7006, 7031])
    const errors = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => !unresolved.has(d.code))
      .map((d) => `${d.file?.fileName.slice(cwd.length + 1)}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`)
    expect(errors).toEqual([])
    expect(readFileSync(join(cwd, 'verifier-class', 'src', 'index.ts'), 'utf8')).toContain('export const classVerifier = defineVerifier({')
  })
})
