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
    // The GPU suite runs on its own: `npm run test:gpu` (vitest.gpu.config.ts). The projects
    // below name their folders (an `include` here would add to each project's); this keeps
    // test/gpu out of a run given a path too.
    exclude: [...configDefaults.exclude, 'test/gpu/**'],
    pool: 'forks',
    // isolated-vm needs --no-node-snapshot on Node >= 20, the same flag bin/bench.js passes.
    execArgv: ['--no-node-snapshot', '--conditions=bonbench-source'],
    // Journals skip their fsync in tests (core/run/journal.ts): a killed process leaves the same
    // file, and a record no longer waits on the disk (most of a tabular run's wall time on a busy
    // disk, a quarter of its CPU). Children started by the tests inherit it.
    env: { BENCH_TEST_NO_FSYNC: '1' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
    projects: [
      // The real CLI in temporary folders: a worker runs file after file (isolate: false), as
      // below. Their commands run as children, or in-process through e2e/cli-help.ts, which
      // restores what a command changes (cwd, environment, exit code, stdout/stderr): a fresh
      // process per file cost each file about 0.6 s of CPU (a fork, vitest's runtime, the imports),
      // a seventh of the e2e files' CPU.
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.{ts,tsx}'], isolate: false } },
      // ink reads CI variables when imported (see ui/mount-tui.test.tsx): a fresh process per file.
      { extends: true, test: { name: 'ui', include: ['test/ui/**/*.test.{ts,tsx}'] } },
      // Modules and plugins in-process: a worker runs file after file without starting again and
      // re-importing the core (a third less CPU on 2 cores). Their tests restore what they change.
      { extends: true, test: { name: 'unit-plugins', include: ['test/unit/**/*.test.{ts,tsx}', 'test/plugins/**/*.test.{ts,tsx}'], isolate: false } },
    ],
  },
})
