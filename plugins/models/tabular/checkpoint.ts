import { createHash } from 'node:crypto'
import { BenchError } from 'bonbench'
import { makeEntry, TabularTable, type TableInit } from './tabular-table.js'

/** The checkpoint file a tabular model writes into its folder. */
export const CHECKPOINT_FILE = 'tabular.json'

interface CheckpointJson {
  format: 'bonbench-tabular'
  version: 1
  init: TableInit
  optimizer: string
  entries: Array<{ prompt: string; answers: string[]; logits: number[]; ref: number[]; adam?: { m: number[]; v: number[]; t: number } }>
}

/**
 * The checkpoint text of a table: deterministic JSON (prompts sorted), so equal weights give
 * equal text and equal hashes. Entries still as first created (`isPristine`) are left out: a
 * loaded table makes them again on first sight, and so equal weights give equal text whatever
 * prompts the model met before — a cell run after others in one process, or alone on a queue
 * worker or a shard, saves the same checkpoint.
 */
export function serializeTable(table: TabularTable, optimizer: string): string {
  const prompts = table.storedPrompts()
  const json: CheckpointJson = {
    format: 'bonbench-tabular',
    version: 1,
    init: table.init,
    optimizer,
    entries: prompts.map((prompt) => {
      const e = table.entries.get(prompt)!
      return { prompt, answers: e.answers, logits: e.logits, ref: e.ref, ...(e.adam ? { adam: e.adam } : {}) }
    }),
  }
  return `${JSON.stringify(json)}\n`
}

/** sha256 of a checkpoint text, hex. */
export function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

/** Restores a table from checkpoint text. Throws BENCH_DATA_INVALID naming `where` on bad input. */
export function parseTable(text: string, where: string): { table: TabularTable; optimizer: string } {
  let json: CheckpointJson
  try {
    json = JSON.parse(text) as CheckpointJson
  } catch (cause) {
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `bonbench:tabular: ${where} is not valid JSON. Give a folder a tabular model saved (a run's checkpoints/<cell>), or copy it again if it was damaged.`,
      {
        cause,
      },
    )
  }
  if (json?.format !== 'bonbench-tabular' || json.version !== 1 || !Array.isArray(json.entries)) {
    throw new BenchError(
      'BENCH_DATA_INVALID',
      `bonbench:tabular: ${where} is not a tabular checkpoint (format 'bonbench-tabular', version 1). Give a folder a tabular model saved (a run's checkpoints/<cell>), or copy it again if it was damaged.`,
    )
  }
  const table = new TabularTable(json.init)
  for (const e of json.entries) {
    if (e.answers.length !== e.logits.length || e.ref.length !== e.logits.length) {
      throw new BenchError(
        'BENCH_DATA_INVALID',
        `bonbench:tabular: ${where}: the entry of prompt '${e.prompt.slice(0, 40)}' has mismatched answers and logits.`,
      )
    }
    const entry = makeEntry(e.answers, e.logits, e.ref)
    if (e.adam) entry.adam = e.adam
    table.entries.set(e.prompt, entry)
  }
  return { table, optimizer: json.optimizer }
}
