// Entry of a backend probe thread (core/backend/probe-backend.ts). In the compiled package
// (dist/) the probe is plain JavaScript beside this file; run from the TypeScript sources, worker
// threads start without the parent's TypeScript loader, so register tsx first.
import { existsSync } from 'node:fs'

const built = new URL('./probe-worker.js', import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('./probe-worker.ts')
}
