// JSON Lines files are read line by line (plugins/tasks/shared/jsonl-dataset.ts), so a plain
// .jsonl over the ~512 MB a string can hold reads like any other, and only a real gzip failure is
// called a gzip failure. A 512 MB file is not written here: the reader is checked on lines that
// span its read chunks, on a line over a lowered length limit, and on the errors it classifies.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import {
  decodeMaybeGzip,
  isStringTooLong,
  MAX_STRING_CHARS,
  readJsonl,
  readJsonlObjects,
  type JsonlReadFailure,
} from '../../plugins/tasks/shared/jsonl-dataset.js'
import { readVerifySamples } from '../../cli/verify-samples.js'

const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-jsonl-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

class Bad extends Error {}
class Failed extends Error {
  constructor(
    readonly failure: JsonlReadFailure,
    readonly cause: unknown,
  ) {
    super(failure)
  }
}
const options = {
  bad: (line: number, what: string) => new Bad(`${line}: ${what}`),
  failed: (failure: JsonlReadFailure, cause: unknown) => new Failed(failure, cause),
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name)
  writeFileSync(file, content)
  return file
}

// 3 MiB of text in one record: it spans the reader's 1 MiB chunks; a '€' (3 bytes in UTF-8) at
// each chunk boundary checks that a character split between two chunks decodes whole.
const long = 'a'.repeat(1024 * 1024 - 20) + '€'.repeat(8) + 'b'.repeat(2 * 1024 * 1024)
const text = [
  JSON.stringify({ id: 'first', text: 'x' }),
  '',
  `${JSON.stringify({ id: 'long', text: long })}\r`,
  '   ',
  JSON.stringify({ id: 'last', text: 'é' }),
].join('\n')

describe('readJsonlObjects', () => {
  it('reads plain and gzip files line by line: records, line numbers, blank lines skipped, as text.split would', async () => {
    for (const file of [write('big.jsonl', text), write('big.jsonl.gz', gzipSync(text))]) {
      const records = await readJsonlObjects(file, options)
      expect(records.map((r) => [r.line, r.value.id])).toEqual([
        [1, 'first'],
        [3, 'long'],
        [5, 'last'],
      ])
      expect(records[1]!.value.text).toBe(long)
      expect(records[2]!.value.text).toBe('é')
    }
  })

  it('readJsonl: the sha256 is of the bytes on disk, for plain and gzip files alike', async () => {
    for (const name of ['big.jsonl', 'big.jsonl.gz']) {
      const file = path.join(dir, name)
      const data = await readJsonl('test', file)
      expect(data.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'))
      expect(data.records).toHaveLength(3)
    }
  })

  it('names the line of a bad record, also after a last line without a newline', async () => {
    await expect(readJsonlObjects(write('bad.jsonl', '{"a": 1}\n\n[1]\n'), options)).rejects.toThrow(/^3: not a JSON object$/)
    await expect(readJsonlObjects(write('bad-last.jsonl', '{"a": 1}\n{"a": '), options)).rejects.toThrow(/^2: not valid JSON/)
    await expect(readJsonl('bonbench:test', path.join(dir, 'bad-last.jsonl'))).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringContaining(`bonbench:test: ${path.join(dir, 'bad-last.jsonl')}:2: not valid JSON`),
    })
  })

  it('a line longer than one string can hold is named by its line, with the limit and what to do', async () => {
    const file = write('long-line.jsonl', `{"a": 1}\n${JSON.stringify({ text: long })}\n`)
    await expect(readJsonlObjects(file, { ...options, maxLineChars: 1024 * 1024 })).rejects.toThrow(
      /^2: the line is longer than 1048576 characters \(about 1\.0 MiB\), the longest string Node\.js can hold, so it cannot be read; split it/,
    )
    // The default limit is the real one.
    expect(MAX_STRING_CHARS).toBeGreaterThan(long.length)
    await expect(readJsonlObjects(file, options)).resolves.toHaveLength(2)
  })

  it('only a file with the gzip magic bytes that does not decompress is a gzip failure', async () => {
    const gz = gzipSync(text)
    const truncated = write('truncated.jsonl.gz', gz.subarray(0, gz.length - 100))
    await expect(readJsonlObjects(truncated, options)).rejects.toMatchObject({ failure: 'gzip' })
    const corrupt = write('corrupt.jsonl.gz', Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not deflate at all')]))
    await expect(readJsonlObjects(corrupt, options)).rejects.toMatchObject({ failure: 'gzip' })
    // Stored (uncompressed) blocks with a byte changed: the text decompresses, garbled, and only the CRC at the end tells.
    const stored = gzipSync(text, { level: 0 })
    stored[stored.indexOf('"first"')] = 0x21
    const garbled = write('garbled.jsonl.gz', stored)
    await expect(readJsonlObjects(garbled, options)).rejects.toMatchObject({ failure: 'gzip' })
    // Not gzip: a folder, a missing file, a plain file named .gz (read as the text it is).
    await expect(readJsonlObjects(dir, options)).rejects.toMatchObject({ failure: 'unreadable' })
    await expect(readJsonlObjects(path.join(dir, 'missing.jsonl'), options)).rejects.toMatchObject({ failure: 'unreadable' })
    await expect(readJsonlObjects(write('plain.jsonl.gz', '{"a": 1}\n'), options)).resolves.toEqual([{ line: 1, value: { a: 1 } }])
    await expect(readJsonlObjects(write('empty.jsonl', ''), options)).resolves.toEqual([])
    await expect(readJsonl('bonbench:test', truncated)).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: `bonbench:test: ${truncated} is not a readable gzip file. Re-download it or pass the uncompressed .jsonl.`,
    })
    await expect(readJsonl('bonbench:test', path.join(dir, 'missing.jsonl'))).rejects.toMatchObject({ code: 'BENCH_DATA_MISSING' })
  })
})

describe("the string-length error (what a whole file's text over ~512 MB raised)", () => {
  it('isStringTooLong knows V8 and Node.js errors for a string too long, and nothing else', () => {
    let tooLong: unknown
    try {
      'x'.repeat(MAX_STRING_CHARS + 1)
    } catch (error) {
      tooLong = error
    }
    expect(isStringTooLong(tooLong)).toBe(true)
    const fromToString = Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' })
    expect(isStringTooLong(fromToString)).toBe(true)
    expect(isStringTooLong(Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' }))).toBe(false)
    expect(isStringTooLong(new RangeError('Maximum call stack size exceeded'))).toBe(false)
  })

  it('decodeMaybeGzip says the text is too long for one string, not that gzip failed', () => {
    const bytes = Buffer.from('{"a": 1}\n')
    const huge = Object.assign(bytes, {
      toString: () => {
        throw Object.assign(new Error('Cannot create a string longer than 0x1fffffe8 characters'), { code: 'ERR_STRING_TOO_LONG' })
      },
    })
    expect(() => decodeMaybeGzip(huge)).toThrow(/^its text is 0\.0 MiB, more than the 512 MiB Node\.js can hold in one string$/)
    expect(decodeMaybeGzip(gzipSync('{"a": 1}\n'))).toBe('{"a": 1}\n')
  })
})

describe('readVerifySamples (bench verify --samples)', () => {
  it('reads a samples file line by line; says gzip only for a gzip failure', async () => {
    const samples = write(
      'samples.jsonl',
      `${JSON.stringify({ task_id: 'T/0', completion: long })}\n\n${JSON.stringify({ task_id: 'T/0', completion: 'x' })}\n`,
    )
    const read = await readVerifySamples(samples, new Set(['T/0']))
    expect(read.map((s) => [s.line, s.completion.length])).toEqual([
      [1, long.length],
      [3, 1],
    ])
    const truncated = path.join(dir, 'truncated.jsonl.gz')
    await expect(readVerifySamples(truncated, new Set(['T/0']))).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: `the samples file ${truncated} is not a readable gzip file. Re-write it or pass the uncompressed .jsonl.`,
    })
    await expect(readVerifySamples(path.join(dir, 'missing.jsonl'), new Set(['T/0']))).rejects.toMatchObject({
      code: 'BENCH_DATA_MISSING',
      message: expect.stringContaining('cannot read the samples file'),
    })
    await expect(readVerifySamples(samples, new Set(['T/1']))).rejects.toThrow(`${samples}:1: task_id 'T/0' is not in the problems file`)
  })
})
