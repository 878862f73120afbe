import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type FingerprintWorkload, tinyTransformerFingerprint } from '../fixtures/tiny-transformer-fingerprint.js'

interface Recorded {
  workload: FingerprintWorkload
  steps: string
  weights: string
  samples: string
}

// Recorded by the fixture's own code at commit 598ddee (its model code unchanged), before the
// speed work of issue 17 (item 3): a speed-up of the engine must keep every digest — the long
// study's numbers are reproduced from these kernels. wasm at the study's shapes; cpu (pure
// JavaScript, about 18 times slower) at the `small` workload, the same code path at a fraction of
// the work. `cpu-study` keeps cpu's study-shape digests (recorded at 598ddee; still matched when the
// small ones were added) for a check by hand: `tiny-transformer-fingerprint.ts cpu study` (40 s).
const recorded = JSON.parse(readFileSync(new URL('../fixtures/tiny-transformer-fingerprint.json', import.meta.url), 'utf8')) as Record<
  'wasm' | 'cpu' | 'cpu-study',
  Recorded
>

describe('tiny-transformer at the default size trains and samples bit-identically', () => {
  it.each([
    ['wasm', 'study: 5 steps on 16 × 64 tokens, the weights and 32 completions'],
    ['cpu', 'small: 3 steps on 4 sequences of 18 characters, the weights and 8 completions'],
  ] as const)(
    'reproduces the recorded digests on %s (%s)',
    async (backend, _workload) => {
      const { workload, ...digests } = recorded[backend]
      expect(await tinyTransformerFingerprint(backend, workload)).toEqual(digests)
    },
    600_000,
  )
})
