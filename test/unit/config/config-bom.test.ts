import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadConfigFile } from '../../../core/config/load-config.js'
import type { ConfigEnv } from '../../../core/config/types.js'

// bench.config.json as editors save it: with a UTF-8 byte-order mark, or as UTF-16. Real files.

const env: ConfigEnv = { command: 'run' }
const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

function project(bytes: Buffer): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bonbench-config-bom-'))
  dirs.push(dir)
  writeFileSync(path.join(dir, 'bench.config.json'), bytes)
  return dir
}

const json = '{ "matrix": { "seeds": [1, 2] } }\n'

describe('bench.config.json encodings', () => {
  it('reads a config that starts with a UTF-8 byte-order mark as the same config without it', async () => {
    const cwd = project(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]))
    const loaded = await loadConfigFile({ cwd, env })
    expect(loaded.config).toEqual({ matrix: { seeds: [1, 2] } })
    expect(loaded.file).toBe(path.join(cwd, 'bench.config.json'))
  })

  it('says a UTF-16 config is UTF-16 and to re-save it as UTF-8, with or without its byte-order mark', async () => {
    for (const bytes of [Buffer.from('\uFEFF' + json, 'utf16le'), Buffer.from(json, 'utf16le'), Buffer.from('\uFEFF' + json, 'utf16le').swap16()]) {
      const cwd = project(bytes)
      await expect(loadConfigFile({ cwd, env })).rejects.toMatchObject({
        code: 'BENCH_CONFIG_INVALID',
        message: `Config file ${path.join(cwd, 'bench.config.json')} is UTF-16: re-save it as UTF-8.`,
      })
    }
  })
})
