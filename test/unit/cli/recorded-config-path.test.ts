import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { recordedConfigPath, resumeConfigPath } from '../../../cli/recorded-config.js'
import { builtins } from '../../../cli/builtins.js'
import { setupRun } from '../../../core/run/setup.js'

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

describe('resumeConfigPath: the config file bench run --resume loads', () => {
  const base = join(root, 'resume-checkout')
  mkdirSync(base, { recursive: true })

  it('is none for a run recorded without a config file, whatever bench.config.* the folder holds now', () => {
    writeFileSync(join(base, 'bench.config.json'), '{}')
    expect(resumeConfigPath({ baseDir: base }, base, 'runs/r1')).toBe(false)
  })

  it('says that the run recorded the file and that it is gone (no --config was given), and what to do', () => {
    const recorded = { baseDir: join(root, 'moved-away'), configFile: join(root, 'moved-away', 'cfg.json') }
    const gone = () => resumeConfigPath(recorded, base, 'runs/r1')
    expect(gone).toThrow(
      `cannot resume runs/r1: the run was started from the config file ${recorded.configFile}, which is gone (and not at ${join(base, 'cfg.json')}, the same place under this folder)`,
    )
    expect(gone).toThrow(/put it back at that path/)
    expect(gone).not.toThrow(/--config/)
  })
})

describe('setupRun with configPath false: a run recorded without a config file resumes without one', () => {
  it('leaves out the bench.config.json the working folder holds now (its reporter options would change results.json)', async () => {
    const cwd = join(root, 'no-config-run')
    mkdirSync(cwd, { recursive: true })
    writeFileSync(join(cwd, 'bench.config.json'), JSON.stringify({ plugins: [['json', { alpha: 0.5 }]], train: { steps: 99 } }))
    const flags = { matrix: { task: 'toy', model: 'tabular', strategies: ['rl'] } }
    const { config, registry } = await setupRun({ cwd, configPath: false, flags, command: 'run', builtins })
    expect(config.configFile).toBeUndefined()
    expect(config.train.steps).not.toBe(99)
    expect(registry.entry('bonbench:json')).toBeUndefined()
    // Without it, setupRun takes the folder's file.
    const withFile = await setupRun({ cwd, flags, command: 'run', builtins })
    expect(withFile.config.configFile).toBe(join(cwd, 'bench.config.json'))
    expect(withFile.config.train.steps).toBe(99)
    expect(withFile.registry.entry('bonbench:json')?.plugin.options).toEqual({ alpha: 0.5 })
  })
})
