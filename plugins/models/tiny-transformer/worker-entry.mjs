// Entry of a sampling worker thread. Worker threads start without the parent's TypeScript
// loader (vitest's transform does not reach them), so register tsx here, then load the worker.
import { register } from 'tsx/esm/api'

register()
await import('./sampler-worker.ts')
