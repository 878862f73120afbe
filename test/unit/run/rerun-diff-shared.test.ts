import { describe, expect, it } from 'vitest'
import { renderRerunVerdict } from '../../../cli/commands/rerun.js'
import type { JournalRecord } from '../../../core/run/journal-types.js'
import { diffRunResults, PREPARE_TIMING_FACTS } from '../../../core/run/rerun-diff.js'

// `bench rerun` compares what the cells share too: the base model's pretraining records (cell
// 'pretrain') and the `prepare` records' facts, everything but their wall time. A run resumed on
// another backend than its first part journals pretraining steps from two backends, while its
// cells (all computed on the second) can equal a rerun's: compared by cells alone it was
// "identical".

const step = (n: number, loss: number): JournalRecord => ({ type: 'train', cellId: 'pretrain', log: { step: n, loss, gradNorm: 1.5 } })
const prepared = (facts: Record<string, unknown>): JournalRecord => ({
  type: 'prepare',
  name: 'bonbench:reward-model',
  facts: { auc: 0.75, hash: 'abc', backend: 'cpu', prepareMs: 120, baseModel: 'k1', ...facts },
})
const journal = (losses: number[], facts: Record<string, unknown> = {}): JournalRecord[] => [...losses.map((l, i) => step(i, l)), prepared(facts)]

describe('diffRunResults compares the pretraining and prepare records', () => {
  it('finds the same records identical, whatever their wall time', () => {
    expect(PREPARE_TIMING_FACTS).toEqual(['prepareMs'])
    const diff = diffRunResults(journal([3, 2.5, 2]), journal([3, 2.5, 2], { prepareMs: 9999 }), [])
    expect(diff).toMatchObject({ identical: true, differingShared: [], total: 0 })
  })

  it('names a pretraining step whose numbers differ (a run resumed on another backend)', () => {
    const diff = diffRunResults(journal([3, 2.5, 2]), journal([3, 2.5000001, 2]), [])
    expect(diff.identical).toBe(false)
    expect(diff.differingShared).toEqual(['pretrain'])
    expect(diff.differences).toEqual(['pretrain: step[1].loss: 2.5 → 2.5000001'])
    expect(renderRerunVerdict(diff, 'r1')).toBe(
      'rerun: DIFFERENT — the pretraining of the base model and 0 of 0 cells differ from run r1 (1 difference(s); recorded → rerun):\n' +
        '  pretrain: step[1].loss: 2.5 → 2.5000001\n',
    )
  })

  it('names missing pretraining steps and a step journaled twice counts once, as a resume reads it', () => {
    expect(diffRunResults(journal([3, 2.5, 2]), journal([3, 2.5]), []).differences).toEqual(['pretrain: step: length 3 → 2'])
    const repeated = [...journal([3, 2.5]), step(1, 7), step(2, 2)]
    expect(diffRunResults(journal([3, 2.5, 2]), repeated, []).identical).toBe(true)
  })

  it("names a prepared component's facts that differ, and one prepared in only one run", () => {
    const diff = diffRunResults(journal([3]), journal([3], { auc: 0.5, backend: 'wasm' }), [])
    expect(diff.differingShared).toEqual(['prepare bonbench:reward-model'])
    expect(diff.differences).toEqual(['prepare bonbench:reward-model: auc: 0.75 → 0.5', 'prepare bonbench:reward-model: backend: "cpu" → "wasm"'])
    expect(renderRerunVerdict(diff, 'r1')).toMatch(
      /^rerun: DIFFERENT — the bonbench:reward-model preparation and 0 of 0 cells differ from run r1 \(2 difference/,
    )
    expect(diffRunResults(journal([3]), [step(0, 3)], []).differences).toEqual(['prepare bonbench:reward-model: recorded → absent'])
  })
})
