import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseJournal, readJournal, repairJournal } from '../../../core/run/journal.js'

// A journal.jsonl an editor re-saved: with a UTF-8 byte-order mark, or as UTF-16. Real files.

const dir = mkdtempSync(path.join(os.tmpdir(), 'bonbench-journal-bom-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const records = [
  { type: 'prepare', name: 'split', facts: { n: 1 } },
  { type: 'prepare', name: 'pool', facts: { n: 2 } },
]
const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n'

function journal(name: string, bytes: Buffer): string {
  const file = path.join(dir, name)
  writeFileSync(file, bytes)
  return file
}

describe('journal.jsonl encodings', () => {
  it('reads a journal that starts with a UTF-8 byte-order mark: every record, no bad line', () => {
    expect(parseJournal('\uFEFF' + text)).toEqual({ records, badLines: [] })
    const file = journal('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))
    expect(readJournal(file)).toEqual({ records, badLines: [] })
    // Repair works on bytes: the mark is no torn line, and nothing is cut.
    expect(repairJournal(file)).toBe(0)
    expect(readFileSync(file).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
  })

  it('says a UTF-16 journal is UTF-16 and to re-save it as UTF-8, and repairs nothing in it', () => {
    for (const [name, bytes] of [
      ['le-bom.jsonl', Buffer.from('\uFEFF' + text, 'utf16le')],
      ['le.jsonl', Buffer.from(text, 'utf16le')],
      ['be-bom.jsonl', Buffer.from('\uFEFF' + text, 'utf16le').swap16()],
    ] as const) {
      const file = journal(name, bytes)
      const message = `the run's journal ${file} is UTF-16: re-save it as UTF-8 (bonbench writes it as UTF-8; an editor that saved it changed that)`
      expect(() => readJournal(file)).toThrow(expect.objectContaining({ code: 'BENCH_RUN_INVALID', message }))
      expect(() => repairJournal(file)).toThrow(message)
      expect(readFileSync(file)).toEqual(bytes)
    }
  })
})
