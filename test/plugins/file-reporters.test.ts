import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { validatePlugin } from '../../core/registry/validate-plugin.js'
import { builtins } from '../helpers/builtin-factories.js'
import { readRun } from '../../core/run/run-record.js'
import { writeSyntheticRun } from '../helpers/synthetic-run.js'

const dirs: string[] = []
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
})

const cases = [
  { short: 'json', file: 'results.json', check: (text: string) => expect(JSON.parse(text).schema).toBe('bonbench/results') },
  { short: 'markdown', file: 'report.md', check: (text: string) => expect(text).toMatch(/^# bonbench report — /) },
  { short: 'html', file: 'report.html', check: (text: string) => expect(text).toMatch(/^<!doctype html>/) },
] as const

describe('file reporters (json, markdown, html)', () => {
  for (const { short, file, check } of cases) {
    it(`bonbench:${short} is a valid reporter plugin that writes ${file} at run end`, async () => {
      const factory = builtins[short]
      expect(factory, `builtins.${short}`).toBeTypeOf('function')
      const plugin = validatePlugin(factory!({ bootstrap: 50 }), 'builtin')
      expect(plugin).toMatchObject({ name: `bonbench:${short}`, kind: 'reporter', meta: { version: '0.1.0' } })
      if (plugin.kind !== 'reporter') throw new Error('not a reporter')
      const dir = await mkdtemp(path.join(os.tmpdir(), `bonbench-${short}-`))
      dirs.push(dir)
      await writeSyntheticRun(dir, { prompts: 8, poolSize: 4, grid: [1, 2, 4], temperatures: [1], seeds: [0], bootstrap: 10, trainSteps: 3 })
      const run = await readRun(dir)
      await plugin.onRunEnd!({ runDir: dir, results: run.cells, interrupted: false })
      expect(existsSync(path.join(dir, file))).toBe(true)
      check(await readFile(path.join(dir, file), 'utf8'))
    })

    it(`bonbench:${short} rejects bad options with BENCH_PLUGIN_OPTIONS naming the plugin`, () => {
      expect(() => builtins[short]!({ bootstrap: 1 })).toThrow(
        expect.objectContaining({ code: 'BENCH_PLUGIN_OPTIONS', message: expect.stringContaining(`bonbench:${short}`) }),
      )
      expect(() => builtins[short]!({ colour: 'red' })).toThrow(
        expect.objectContaining({ code: 'BENCH_PLUGIN_OPTIONS', message: expect.stringContaining('Allowed options: bootstrap, alpha') }),
      )
    })
  }

  it('records its resolved options (defaults applied) for the manifest', () => {
    expect(builtins.html!({}).options).toEqual({ alpha: 0.05, maxPromptsPerCell: 200, maxTextChars: 2000 })
    expect(builtins.json!({ alpha: 0.01 }).options).toEqual({ alpha: 0.01 })
  })
})
