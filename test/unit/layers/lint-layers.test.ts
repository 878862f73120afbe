import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot } from '../../e2e/cli-helper.js'

// The repository's own eslint.config.js, copied into a miniature repository laid out like this
// one (core/, cli/, plugins/, reports/, a package.json whose exports name the sources; the
// repository's node_modules linked in): each layer rule must fail on the import it forbids and
// pass on the ones it allows.
const project = mkdtempSync(join(tmpdir(), 'bonbench-layers-'))
afterAll(() => rmSync(project, { recursive: true, force: true }))

const files: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'bonbench',
    type: 'module',
    exports: { '.': { 'bonbench-source': './core/index.ts', default: './dist/core/index.js' } },
  }),
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', customConditions: ['bonbench-source'], strict: true },
    include: ['**/*.ts'],
  }),
  'core/index.ts': "export { BenchError } from './errors.js'\n",
  'core/errors.ts': 'export class BenchError extends Error {}\n',
  'core/registry.ts': "import { builtins } from '../cli/builtins.js'\nexport const names = Object.keys(builtins)\n",
  'core/uses-plugin.ts': "import { toy } from '../plugins/toy.js'\nexport const t = toy\n",
  'core/uses-report.ts': "import { report } from '../reports/report.js'\nexport const r = report\n",
  'core/ping.ts': "import { pong } from './pong.js'\nexport const ping = (): string => pong()\n",
  'core/pong.ts': "import { ping } from './ping.js'\nexport const pong = (): string => ping()\n",
  'cli/builtins.ts': "import { toy } from '../plugins/toy.js'\nimport { report } from '../reports/report.js'\nexport const builtins = { toy, report }\n",
  'plugins/toy.ts':
    "import { BenchError } from 'bonbench'\nimport { helper } from './shared/helper.js'\nexport const toy = (): Error => new BenchError(helper)\n",
  'plugins/shared/helper.ts': "export const helper = 'x'\n",
  'plugins/deep.ts': "import { BenchError } from '../core/errors.js'\nexport const e = BenchError\n",
  'plugins/via-index.ts': "import { BenchError } from '../core/index.js'\nexport const e = BenchError\n",
  'plugins/uses-report.ts': "import { report } from '../reports/report.js'\nexport const r = report\n",
  'reports/report.ts': "import { BenchError } from '../core/errors.js'\nexport const report = BenchError\n",
  'reports/uses-plugin.ts': "import { toy } from '../plugins/toy.js'\nexport const t = toy\n",
  'reports/uses-cli.ts': "import { builtins } from '../cli/builtins.js'\nexport const b = builtins\n",
}
for (const [path, text] of Object.entries(files)) {
  mkdirSync(dirname(join(project, path)), { recursive: true })
  writeFileSync(join(project, path), text)
}
copyFileSync(join(repoRoot, 'eslint.config.js'), join(project, 'eslint.config.js'))
symlinkSync(join(repoRoot, 'node_modules'), join(project, 'node_modules'), 'dir')

async function lint(path: string): Promise<string[]> {
  // Type-aware rules need the real tsconfig's program; the layer rules do not.
  const eslint = new ESLint({ cwd: project, overrideConfig: [tseslint.configs.disableTypeChecked] })
  const [result] = await eslint.lintFiles([join(project, path)])
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

describe('the layer rules (eslint.config.js)', () => {
  it.each([
    ['core/registry.ts', 'import-x/no-restricted-paths', /core depends on nothing above it/],
    ['core/uses-plugin.ts', 'import-x/no-restricted-paths', /core depends on nothing above it/],
    ['core/uses-report.ts', 'import-x/no-restricted-paths', /core depends on nothing above it/],
    ['plugins/deep.ts', 'import-x/no-restricted-paths', /plugins use only the public API/],
    ['plugins/deep.ts', 'no-restricted-imports', /from 'bonbench'/],
    ['plugins/via-index.ts', 'no-restricted-imports', /by its package name/],
    ['plugins/uses-report.ts', 'import-x/no-restricted-paths', /plugins use only the public API/],
    ['reports/uses-plugin.ts', 'import-x/no-restricted-paths', /reports depend only on core/],
    ['reports/uses-cli.ts', 'import-x/no-restricted-paths', /reports depend only on core/],
    ['core/ping.ts', 'import-x/no-cycle', /Dependency cycle detected/],
  ])('rejects %s (%s)', async (path, rule, message) => {
    const messages = (await lint(path)).filter((m) => m.startsWith(`${rule}: `))
    expect(messages, (await lint(path)).join('\n')).toHaveLength(1)
    expect(messages[0]).toMatch(message)
  })

  it.each(['plugins/toy.ts', 'plugins/shared/helper.ts', 'reports/report.ts', 'cli/builtins.ts', 'core/index.ts'])('accepts %s', async (path) => {
    expect(await lint(path)).toEqual([])
  })
})
