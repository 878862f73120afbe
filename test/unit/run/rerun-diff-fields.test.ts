import { beforeAll, describe, expect, it } from 'vitest'
import type { JournalRecord } from '../../../core/run/journal-types.js'
import { diffRunResults } from '../../../core/run/rerun-diff.js'
import { runMatrix } from '../../../core/run/run-matrix.js'
import { journalOf, tempProject, toyRunSetupWithPlugins } from '../../helpers/toy-run.js'

// `bench rerun` says "identical" only when every result a cell journals is bit-identical: the
// comparison leaves out by name what is not a result (the cell's id, wall time, a billed model's
// usage), so a field it forgot cannot pass unseen — as the validation split once did, although
// `study` picks checkpoints by it. Each field of a real journal's cell and checkpoint-evaluation
// records is changed in turn, and the diff must name it.

type Path = Array<string | number>
type CellRecord = Extract<JournalRecord, { type: 'cell' }>
type EvalRecord = Extract<JournalRecord, { type: 'checkpoint-eval' }>

/** Every leaf of `value` (an empty array is one), one per field: array elements of the same shape count once. */
function leaves(value: unknown, path: Path = [], seen = new Set<string>()): Path[] {
  if (Array.isArray(value) && value.length > 0) return value.flatMap((v, i) => leaves(v, [...path, i], seen))
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k], seen))
  const shape = path.map((p) => (typeof p === 'number' ? '[]' : p)).join('.')
  if (seen.has(shape)) return []
  seen.add(shape)
  return [path]
}

/** A path as the diff prints it: `validation.metrics.passAtN[0]`. */
const shown = (path: Path) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('')

/** Changes the leaf at `path` of `root` (a number by 0.25, a string, a boolean, null, an empty array). */
function perturb(root: unknown, path: Path): void {
  const parent = path.slice(0, -1).reduce<any>((o, k) => o[k], root)
  const key = path[path.length - 1]!
  const v = parent[key]
  parent[key] = typeof v === 'number' ? v + 0.25 : typeof v === 'string' ? `${v}~` : typeof v === 'boolean' ? !v : Array.isArray(v) ? [0.25] : 0.25
}

describe('diffRunResults compares every result a cell journals', () => {
  let records: JournalRecord[] = []
  let order: string[] = []
  beforeAll(async () => {
    const project = tempProject('bonbench-rerun-diff-')
    try {
      // Every optional result on: a validation split, checkpoint evaluations (and so KL), extra selection rules.
      const setup = await toyRunSetupWithPlugins(project.dir, {
        config: {
          plugins: [['toy', { split: 'disjoint', prompts: 12 }]],
          matrix: { strategies: ['rl'] },
          train: { steps: 2, evalEvery: 1 },
          eval: { validationPrompts: 3, selectionRules: [['rbon-kl', { beta: 0.1 }], 'majority'] },
        },
      })
      const run = await runMatrix(setup)
      records = journalOf(run.runDir)
      order = run.results.map((r) => r.cellId)
    } finally {
      project.cleanup()
    }
  })
  const copy = () => JSON.parse(JSON.stringify(records)) as JournalRecord[]
  const cellOf = (rs: JournalRecord[]) => rs.filter((r): r is CellRecord => r.type === 'cell' && r.cellId.startsWith('rl-'))[0]!
  const evalOf = (rs: JournalRecord[]) => rs.find((r): r is EvalRecord => r.type === 'checkpoint-eval')!

  it("says DIFFERENT when the validation split's metrics differ (the review's case: +0.25 to every cell's pass@N[0])", () => {
    const again = copy()
    for (const r of again) if (r.type === 'cell') r.result.validation!.metrics.passAtN[0]! += 0.25
    const diff = diffRunResults(records, again, order)
    expect(diff.identical).toBe(false)
    expect(diff.differingCells).toEqual(order)
    expect(diff.differences.every((d) => /^[\w-]+: validation\.metrics\.passAtN\[0\]: /.test(d))).toBe(true)
  })

  it("names a change to any field of a finished cell's result, except its id and wall time", () => {
    const cell = cellOf(records)
    const paths = leaves(cell.result)
    // The run has every part the review found left out, or this test would prove nothing about them.
    const names = paths.map(shown)
    for (const part of ['validation.metrics.passAtN[0]', 'validation.prompts[0].bestOfN[0]', 'kl.perToken', 'checkpoint', 'metrics.selection[0].values[0]'])
      expect(names).toContain(part)
    const missed: string[] = []
    for (const path of paths) {
      const again = copy()
      perturb(cellOf(again).result, path)
      const diff = diffRunResults(records, again, order)
      const ignored = ['cellId', 'compute.wallMs'].includes(shown(path))
      const named = diff.differences.some((d) => d.startsWith(`${cell.cellId}: ${shown(path)}`))
      if (ignored ? !diff.identical : !named) missed.push(`${shown(path)}: ${JSON.stringify(diff.differences.slice(0, 2))}`)
    }
    expect(missed).toEqual([])
  })

  it('names a change to any field of a checkpoint evaluation (train.evalEvery), except its wall time', () => {
    const evaluation = evalOf(records)
    const { type: _type, cellId: _cellId, ...fields } = evaluation
    const paths = leaves(fields)
    expect(paths.map(shown)).toContain('validation.metrics.passAtN[0]')
    const missed: string[] = []
    for (const path of paths) {
      const again = copy()
      perturb(evalOf(again), path)
      const diff = diffRunResults(records, again, order)
      const ignored = shown(path) === 'compute.wallMs'
      const named = diff.differences.some((d) => d.startsWith(`${evaluation.cellId}: checkpoints[0].${shown(path)}`))
      if (ignored ? !diff.identical : !named) missed.push(`${shown(path)}: ${JSON.stringify(diff.differences.slice(0, 2))}`)
    }
    expect(missed).toEqual([])
  })

  it("leaves out a billed model's usage (cost bookkeeping: a warm request cache answers what a cold one paid for), and compares a field a later version adds", () => {
    const usage = (cachedRequests: number) => {
      const again = copy()
      for (const r of again) if (r.type === 'cell') r.result.usage = { requests: 8, cachedRequests, promptTokens: 40, completionTokens: 16 }
      return again
    }
    expect(diffRunResults(usage(0), usage(8), order).identical).toBe(true)
    const later = (value: number) => {
      const again = copy()
      Object.assign(cellOf(again).result, { calibration: { error: value } })
      return again
    }
    expect(diffRunResults(later(0.1), later(0.2), order).differences).toEqual([`${cellOf(records).cellId}: calibration.error: 0.1 → 0.2`])
  })
})
