// Entry of a sampling worker thread. In the compiled package (dist/) the worker is plain
// JavaScript beside this file; run from the TypeScript sources, worker threads start without the
// parent's TypeScript loader (vitest's transform does not reach them), so register tsx first.
import { existsSync } from 'node:fs'

const built = new URL('./sampler-worker.js', import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('./sampler-worker.ts')
}
