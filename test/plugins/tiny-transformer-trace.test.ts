import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { tinyTransformerTrace } from '../fixtures/tiny-transformer-trace.js'

// Recorded from the engine with synchronous readback and one tf.addN over all gradients (commit
// cd7c066): the asynchronous engine and the chunked grad norm must reproduce it bit for bit.
const recorded = JSON.parse(readFileSync(new URL('../fixtures/tiny-transformer-trace.json', import.meta.url), 'utf8')) as Record<string, unknown>

describe('tiny-transformer numbers are unchanged', () => {
  it.each(['wasm', 'cpu'] as const)(
    'reproduces the recorded losses, grad norms, log-probs, samples and checkpoint hash on %s',
    async (backend) => {
      expect(await tinyTransformerTrace(backend)).toEqual(recorded[backend])
    },
    120_000,
  )
})
