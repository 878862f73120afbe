import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { tinyTransformerFingerprint } from '../fixtures/tiny-transformer-fingerprint.js'

// Recorded at commit 598ddee, before the speed work of issue 17 (item 3): a speed-up of the
// engine must keep every digest — the long study's numbers are reproduced from these kernels.
const recorded = JSON.parse(readFileSync(new URL('../fixtures/tiny-transformer-fingerprint.json', import.meta.url), 'utf8')) as Record<string, unknown>

describe('tiny-transformer at the default size trains and samples bit-identically', () => {
  it.each(['wasm', 'cpu'] as const)(
    'reproduces the recorded digests of 5 steps, the weights and 32 completions on %s',
    async (backend) => {
      expect(await tinyTransformerFingerprint(backend)).toEqual(recorded[backend])
    },
    600_000,
  )
})
