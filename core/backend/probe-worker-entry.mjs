// Entry of a backend probe thread (core/backend/probe-backend.ts). Worker threads start without
// the parent's TypeScript loader, so register tsx here, then load the probe.
import { register } from 'tsx/esm/api'

register()
await import('./probe-worker.ts')
