// ESLint for the whole repository (`npm run lint`, run by .ci/run with --max-warnings 0).
// Besides typescript-eslint's recommended rules (and a few type-aware ones that catch real bugs:
// a promise nobody awaits), it keeps the layers pointing one way:
//
//   cli/ (composition root: commands, TUI, the built-in map)
//     ├─→ reports/ ─→ core/
//     ├─→ plugins/ ─→ 'bonbench' (core's public API: core/index.ts, core/testing/index.ts)
//     └─→ core/    ─→ nothing above it
//
// Layers: import-x/no-restricted-paths checks resolved files (a path cannot sneak round it), and
// no-restricted-imports makes plugins name the package (`from 'bonbench'`) rather than a path
// into core/, exactly as a third-party plugin must. Cycles: import-x/no-cycle, inside ESLint
// rather than dependency-cruiser, so one tool, one config and one command hold every rule (the
// house style asks for one linter) and editors show cycles like any other error; on this
// repository's ~400 files it costs a few seconds.
import js from '@eslint/js'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import { importX } from 'eslint-plugin-import-x'
import { defineConfig } from 'eslint/config'
import globals from 'globals'
import { join } from 'node:path'
import tseslint from 'typescript-eslint'

/** Layer rules as import-x zones: `target` may not import anything under `from`. */
const layerZones = [
  {
    target: './core',
    from: ['./cli', './plugins', './reports'],
    message: 'core depends on nothing above it: inject what it needs from the composition root (cli/), as cli/builtins.ts does.',
  },
  {
    target: './reports',
    from: ['./cli', './plugins'],
    message: "reports depend only on core's result types.",
  },
  {
    target: './plugins',
    from: ['./cli', './reports', './test', './bin', './scripts', './benchmarks', './core'],
    except: ['./index.ts', './testing/index.ts'],
    message: "plugins use only the public API: import from 'bonbench' (or 'bonbench/testing').",
  },
]

export default defineConfig(
  {
    ignores: ['dist/', '**/node_modules/', 'benchmarks/results/', 'gpu-scratch/', '.bench/', 'tmp/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    settings: {
      // import-x parses the files an import leads to (no-cycle follows them) with the TypeScript parser.
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts'] },
      // Resolves `.js` specifiers to the `.ts` sources, and 'bonbench' to core/ (the condition
      // package.json's exports name the sources under).
      'import-x/resolver-next': [
        createTypeScriptImportResolver({
          project: join(import.meta.dirname, 'tsconfig.json'),
          conditionNames: ['bonbench-source', 'types', 'import', 'node', 'default'],
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones, basePath: import.meta.dirname }],
      // `let [q, k, v] = …` where only some are reassigned stays one line.
      'prefer-const': ['error', { destructuring: 'all' }],
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['plugins/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(core|cli|reports|test|bin|scripts|benchmarks)(/|$)',
              message:
                "Plugins import bonbench's public API by its package name: from 'bonbench' (or 'bonbench/testing' in tests), never a path out of plugins/.",
            },
          ],
        },
      ],
    },
  },
  {
    // Tests read JSON files of any shape.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The HTML report's script runs in the browser, beside Chart.js.
    files: ['reports/html-client.js'],
    languageOptions: { globals: { ...globals.browser, Chart: 'readonly' } },
  },
  {
    // Type-aware rules, for TypeScript only: they need the program tsc builds.
    files: ['**/*.{ts,tsx,mts}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
)
