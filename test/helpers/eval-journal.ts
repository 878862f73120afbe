import { join } from 'node:path'
import { readJournal } from '../../core/run/journal.js'

// What the `bench eval` tests (e2e/eval-checkpoint, and e2e/resume's tiny-transformer evaluation)
// read from a run's journal and hold an evaluation to.

/** A journal record, as far as the evaluation tests read it. */
export type EvalRecord = { type: string; cellId?: string; name?: string; result?: Record<string, unknown>; facts?: Record<string, unknown> }

/** The records of `runDir`'s journal. */
export const evalJournal = (runDir: string): EvalRecord[] => readJournal(join(runDir, 'journal.jsonl')).records as unknown as EvalRecord[]

/** Every number of a cell's result that the evaluation determines (training and wall times are the run's own). */
export const evaluated = (records: EvalRecord[], cellId: string) => {
  const cell = records.find((r) => r.type === 'cell' && r.cellId === cellId)!.result!
  return {
    metrics: cell.metrics,
    prompts: cell.prompts,
    kl: cell.kl,
    validation: cell.validation,
    checkpoint: cell.checkpoint,
    pools: records.filter((r) => r.type === 'pool' && r.cellId === cellId),
  }
}
