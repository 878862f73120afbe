import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { recordedConfigPath } from '../../../cli/recorded-config.js'

const root = mkdtempSync(join(tmpdir(), 'bonbench-recorded-config-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('recordedConfigPath: the config a resumed run recorded, found again', () => {
  const old = join(root, 'old-checkout')
  const now = join(root, 'new-checkout')
  mkdirSync(join(now, 'docs'), { recursive: true })
  writeFileSync(join(now, 'docs', 'study.json'), '{}')
  const recorded = { baseDir: old, configFile: join(old, 'docs', 'study.json') }

  it('takes the same place in the current checkout when the recorded path is gone (a run restored into a clone)', () => {
    expect(recordedConfigPath(recorded, now)).toBe(join(now, 'docs', 'study.json'))
  })

  it('keeps the recorded path when it is there, or when neither is (the error then names what the run recorded)', () => {
    mkdirSync(join(old, 'docs'), { recursive: true })
    writeFileSync(join(old, 'docs', 'study.json'), '{}')
    expect(recordedConfigPath(recorded, now)).toBe(recorded.configFile)
    expect(recordedConfigPath(recorded, join(root, 'elsewhere'))).toBe(recorded.configFile)
    rmSync(old, { recursive: true })
    expect(recordedConfigPath(recorded, join(root, 'elsewhere'))).toBe(recorded.configFile)
  })

  it('does not look outside the run’s base directory, and says nothing for a run without a config file', () => {
    // ../configs/shared.json from the old base directory: not looked up from the new one.
    mkdirSync(join(now, 'sub', 'configs'), { recursive: true })
    writeFileSync(join(now, 'sub', 'configs', 'shared.json'), '{}')
    const outside = { baseDir: old, configFile: join(root, 'configs', 'shared.json') }
    expect(recordedConfigPath(outside, join(now, 'sub', 'x'))).toBe(outside.configFile)
    expect(recordedConfigPath({ baseDir: old }, now)).toBeUndefined()
  })
})
