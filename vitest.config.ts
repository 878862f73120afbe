import { configDefaults, defineConfig } from 'vitest/config'

// Inside the repository, `import 'bonbench'` (what the built-ins write, as any third-party plugin
// does) must resolve to the TypeScript sources — the module instance the tests and the CLI import
// by path — not to the compiled dist/. package.json's exports name the sources under the custom
// condition `bonbench-source`: Vite resolves with it here, and Node (worker threads, children
// started from the tests) with the --conditions flag below. The rest are Vite's server defaults.
const conditions = ['bonbench-source', 'module', 'node', 'development|production']

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // The GPU suite runs on its own: `npm run test:gpu` (vitest.gpu.config.ts).
    exclude: [...configDefaults.exclude, 'test/gpu/**'],
    pool: 'forks',
    // isolated-vm needs --no-node-snapshot on Node >= 20, the same flag bin/bench.js passes.
    execArgv: ['--no-node-snapshot', '--conditions=bonbench-source'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
})
