import { afterAll, beforeAll } from 'vitest'
import { currentBackend, expectedBackend, selectBackend } from '../../core/backend/select-backend.js'

/**
 * For a test file that selects TensorFlow.js backends by name: puts the one it found back when the
 * file ends (the one `auto` starts, where none was selected yet). The unit and plugin files share
 * worker processes (vitest.config.ts, isolate: false), and tfjs holds one backend per process: a
 * file that ended on `cpu` made every later tfjs file in its worker run on pure JavaScript (the
 * reward model's tests took 32 s instead of 8).
 */
export function keepBackend(): void {
  let found = 'auto'
  beforeAll(() => {
    found = currentBackend()?.name ?? expectedBackend('auto')
  })
  afterAll(async () => {
    await selectBackend(found)
  })
}
