import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

// `npm run test:gpu`: the checks that need a real GPU (test/gpu/), kept out of `npm test` because
// CI has none. test/gpu/require-gpu.ts starts the GPU backend first and fails the whole suite with
// a message saying why when it does not start. One file at a time: a GPU is one device.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // One suite, not the projects npm test splits into.
    projects: undefined,
    include: ['test/gpu/**/*.test.ts'],
    exclude: [],
    globalSetup: ['test/gpu/require-gpu.ts'],
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 300_000,
  },
})
