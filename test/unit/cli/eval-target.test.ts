import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveEvalTarget } from '../../../cli/eval-target.js'
import { tempDir } from '../../e2e/cli-helper.js'
import { syntheticRun } from '../../helpers/synthetic-run.js'

const project = tempDir('bonbench-eval-target-')
afterAll(() => project.cleanup())

describe('bench eval --checkpoint <run>/checkpoints/<cell>', () => {
  it('a cell folder without weights (missing or left empty) is a usage error before any run directory is made; one with files is the cell', () => {
    const runDir = path.join(project.dir, 'run')
    const { manifest } = syntheticRun({ seeds: [0], temperatures: [1], withText: false })
    mkdirSync(runDir, { recursive: true })
    writeFileSync(path.join(runDir, 'run.json'), JSON.stringify(manifest))
    const cell = manifest.cells.find((c) => c.key.strategy !== 'base')!.cellId
    const dir = path.join(runDir, 'checkpoints', cell)
    const refused = expect.objectContaining({
      code: 'BENCH_USAGE',
      message: expect.stringContaining(`cell '${cell}' of ${runDir} has no saved weights at ${dir}`),
    })
    expect(() => resolveEvalTarget(project.dir, dir)).toThrow(
      expect.objectContaining({ code: 'BENCH_USAGE', message: expect.stringContaining('no such folder') }),
    )
    mkdirSync(dir, { recursive: true })
    expect(() => resolveEvalTarget(project.dir, dir)).toThrow(refused)
    writeFileSync(path.join(dir, 'weights.json'), '{}')
    expect(resolveEvalTarget(project.dir, dir)).toMatchObject({ kind: 'run-cell', cellId: cell, runDir })
  })
})
