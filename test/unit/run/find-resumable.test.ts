import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { findResumableRun } from '../../../core/run/find-resumable.js'

describe('findResumableRun (bench run --config F --resume)', () => {
  const root = mkdtempSync(join(tmpdir(), 'bonbench-resumable-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const run = (name: string, configFile: string, createdAt: string) => {
    mkdirSync(join(root, name), { recursive: true })
    writeFileSync(
      join(root, name, 'run.json'),
      JSON.stringify({
        version: 2,
        runId: name,
        createdAt,
        cells: [],
        provenance: { harness: { name: 'bonbench', version: '0.1.0' }, config: { configFile }, plugins: [], dataFiles: [] },
      }),
    )
  }

  it('picks the newest run of the same config file, ignores others and non-runs', () => {
    run('a', '/cfg/study.json', '2026-12-04T10:00:00.000Z')
    run('b', '/cfg/study.json', '2026-12-04T12:00:00.000Z')
    run('c', '/cfg/other.json', '2026-12-04T13:00:00.000Z')
    mkdirSync(join(root, 'not-a-run'))
    expect(findResumableRun(root, '/cfg/study.json')).toBe(join(root, 'b'))
    expect(findResumableRun(root, '/cfg/none.json')).toBeUndefined()
    expect(findResumableRun(join(root, 'missing'), '/cfg/study.json')).toBeUndefined()
  })
})
