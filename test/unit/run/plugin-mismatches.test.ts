import { describe, expect, it } from 'vitest'
import { dataFileMismatches } from '../../../core/run/plugin-mismatches.js'

describe('dataFileMismatches (a resumed run against its record)', () => {
  it('names each recorded file whose bytes are not loaded here; a file found by another path is the same file', () => {
    const recorded = [
      { path: 'data/a.jsonl', sha256: 'aaa' },
      { path: 'data/b.jsonl', sha256: 'bbb' },
    ]
    expect(dataFileMismatches(recorded, [...recorded])).toEqual([])
    // Resumed from another folder: the same bytes under other paths.
    expect(
      dataFileMismatches(recorded, [
        { path: '../x/data/a.jsonl', sha256: 'aaa' },
        { path: '../x/data/b.jsonl', sha256: 'bbb' },
      ]),
    ).toEqual([])
    expect(
      dataFileMismatches(recorded, [
        { path: 'data/a.jsonl', sha256: 'aaa' },
        { path: 'data/b.jsonl', sha256: 'ccc' },
      ]),
    ).toEqual(['data file data/b.jsonl (sha256 bbb in the run) is not loaded here with those bytes'])
    expect(dataFileMismatches(recorded, [])).toHaveLength(2)
  })
})
