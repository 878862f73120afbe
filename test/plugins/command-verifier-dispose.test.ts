import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { command } from '../../plugins/verifiers/command/index.js'
import { alive, candidatePid } from '../helpers/candidate-pid.js'
import { codeProblem } from './code-fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-cmd-dispose-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const forever = codeProblem('forever', '', { language: 'javascript', test: '' })
/** A candidate that records its pid and then never ends (its own time limit is far away). */
const hang = (marker: string) => `require('node:fs').writeFileSync(${JSON.stringify(marker)}, String(process.pid)); setInterval(() => {}, 1000)\n`

describe('command verifier lifecycle', () => {
  it('dispose() kills a running candidate: score rejects (no false verdict) and the process is gone; the verifier works again after', async () => {
    const verifier = command({ timeoutMs: 600_000 })
    const marker = path.join(dir, 'dispose.pid')
    const scoring = verifier.score([{ problem: forever, completion: hang(marker) }], { concurrency: 1 })
    const outcome = scoring.then(
      () => 'resolved',
      (e: { code?: string }) => e.code,
    )
    const pid = await candidatePid(marker)
    expect(alive(pid)).toBe(true)
    verifier.dispose!()
    expect(await outcome).toBe('BENCH_ABORTED')
    expect(alive(pid)).toBe(false)
    verifier.dispose!()
    const [v] = await verifier.score([{ problem: forever, completion: 'process.exit(0)\n' }], { concurrency: 1 })
    expect(v!.pass).toBe(true)
  })

  it('an aborted run signal kills a running candidate too', async () => {
    const verifier = command({ timeoutMs: 600_000 })
    const marker = path.join(dir, 'abort.pid')
    const controller = new AbortController()
    const outcome = verifier.score([{ problem: forever, completion: hang(marker) }], { concurrency: 1, signal: controller.signal }).then(
      () => 'resolved',
      (e: { code?: string }) => e.code,
    )
    const pid = await candidatePid(marker)
    controller.abort()
    expect(await outcome).toBe('BENCH_ABORTED')
    expect(alive(pid)).toBe(false)
  })
})
