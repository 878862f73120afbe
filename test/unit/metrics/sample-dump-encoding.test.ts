import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadResults } from '../../../cli/commands/findings.js'
import { RESULTS_VERSION } from '../../../reports/results-schema.js'
import { readSampleDump } from '../../../core/metrics/sample-dump.js'
import { looksUtf16, stripBom } from '../../../core/text-encoding.js'
import { plantedResults } from '../../helpers/planted-results.js'

// Files as editors and copies leave them: a UTF-8 byte-order mark, UTF-16, a plain file named
// .gz, a gzip file cut short or damaged. Real files in a temp folder.

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bonbench-dump-encoding-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const BOM = Buffer.from([0xef, 0xbb, 0xbf])
const dumpText = ['{"id": "a", "reward": 1}', '{"id": "b", "samples": [{"reward": 0}, {"reward": 1}]}', ''].join('\n')
const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16()

async function write(name: string, bytes: Buffer | string): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, bytes)
  return file
}

/** A dump big enough that gzip emits lines before its end: 400 problems. */
const longDump =
  Array.from({ length: 400 }, (_, i) => JSON.stringify({ id: `p${i}`, reward: i % 2, text: `sample ${i} `.repeat(20 + (i % 7)) })).join('\n') + '\n'

describe('looksUtf16 and stripBom', () => {
  it('tells UTF-16 (with or without its byte-order mark) from UTF-8', () => {
    for (const bytes of [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a"', 'utf16le')]),
      utf16be('\uFEFF{"a"'),
      Buffer.from('{"a"', 'utf16le'),
      utf16be('{"a"'),
    ])
      expect(looksUtf16(bytes.toString('utf8'))).toBe(true)
    for (const text of ['{"a": 1}', '\uFEFF{"a": 1}', '', '{', '\uFFFD\uFFFDab']) expect(looksUtf16(text)).toBe(false)
    expect(stripBom('\uFEFF{}')).toBe('{}')
    expect(stripBom('{}')).toBe('{}')
  })
})

describe('readSampleDump: encodings', () => {
  it('reads a dump that starts with a UTF-8 byte-order mark, plain or gzipped, and names no bad line', async () => {
    for (const [name, bytes] of [
      ['bom.jsonl', Buffer.concat([BOM, Buffer.from(dumpText)])],
      ['bom.jsonl.gz', gzipSync(Buffer.concat([BOM, Buffer.from(dumpText)]))],
    ] as const) {
      const dump = await readSampleDump(await write(name, bytes))
      expect(dump.problems.map((p) => [p.id, p.samples.length])).toEqual([
        ['a', 1],
        ['b', 2],
      ])
      expect(dump.badLines).toEqual([])
    }
  })

  it('says a UTF-16 dump is UTF-16 and to re-save it as UTF-8, even under --skip-bad-lines', async () => {
    for (const [name, bytes] of [
      ['le-bom.jsonl', Buffer.from('\uFEFF' + dumpText, 'utf16le')],
      ['be-bom.jsonl', utf16be('\uFEFF' + dumpText)],
      ['le.jsonl', Buffer.from(dumpText, 'utf16le')],
      ['be.jsonl.gz', gzipSync(utf16be(dumpText))],
    ] as const) {
      const file = await write(name, bytes)
      for (const skipBadLines of [false, true])
        await expect(readSampleDump(file, { skipBadLines })).rejects.toMatchObject({
          code: 'BENCH_DATA_INVALID',
          message: `sample dump ${file} is UTF-16: re-save it as UTF-8 (JSON Lines are read as UTF-8)`,
        })
    }
  })

  it('reads a plain JSONL named .jsonl.gz: gzip is told by its magic bytes, not by the name', async () => {
    const dump = await readSampleDump(await write('plain.jsonl.gz', dumpText))
    expect(dump.problems.map((p) => p.id)).toEqual(['a', 'b'])
  })

  it('says a gzip dump cut short is truncated, after how many lines, and to copy it again', async () => {
    const whole = gzipSync(longDump)
    const file = await write('cut.jsonl.gz', whole.subarray(0, Math.floor(whole.length * 0.7)))
    const error = await readSampleDump(file).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'BENCH_DATA_INVALID' })
    expect((error as Error).message).toMatch(
      new RegExp(
        `^sample dump ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a truncated gzip file \\(the file ends before its gzip stream does, after line \\d+\\): a copy cut short\\? copy it again$`,
      ),
    )
    // Skipping bad lines does not hide it either.
    await expect(readSampleDump(file, { skipBadLines: true })).rejects.toThrow(/is a truncated gzip file/)
  })

  it('says a corrupt gzip dump is corrupt, not which line is bad', async () => {
    const whole = gzipSync(longDump)
    const method = Buffer.from(whole)
    method[2] = 0 // the compression method: deflate is 8
    const badMethod = await write('method.jsonl.gz', method)
    await expect(readSampleDump(badMethod)).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: `sample dump ${badMethod} is a corrupt gzip file (unknown compression method): copy it again, or pass the uncompressed .jsonl`,
    })
    // Damage inside the stream: zlib may first hand out garbage lines, or notice only at the CRC.
    const middle = Buffer.from(whole)
    for (let i = 200; i < 260; i++) middle[i] = middle[i]! ^ 0x5a
    const damaged = await write('damaged.jsonl.gz', middle)
    for (const skipBadLines of [false, true])
      await expect(readSampleDump(damaged, { skipBadLines })).rejects.toThrow(/is a corrupt gzip file .*: copy it again/)
  })
})

describe('bench findings: loadResults encodings', () => {
  it('reads a results.json with a UTF-8 byte-order mark, plain or gzipped', async () => {
    const real = Buffer.from(JSON.stringify(plantedResults({ prompts: 4, arms: [{ strategy: 'sft', pass: () => 0 }] }), null, 2))
    const plain = await loadResults(await write('results.json', Buffer.concat([BOM, real])))
    const gz = await loadResults(await write('results.json.gz', gzipSync(Buffer.concat([BOM, real]))))
    expect(plain).toEqual(gz)
    expect(plain).toEqual(await loadResults(await write('clean.json', real)))
  })

  it('says a UTF-16 results.json is UTF-16 and to re-save it as UTF-8', async () => {
    const file = await write('results.json', Buffer.from('\uFEFF{"version": 1}', 'utf16le'))
    await expect(loadResults(file)).rejects.toMatchObject({
      code: 'BENCH_RUN_INVALID',
      message: `${file} is UTF-16: re-save it as UTF-8, or regenerate it with \`bench report <run-dir> --format json\``,
    })
    const be = await write('be.json', utf16be('{"version": 1}'))
    await expect(loadResults(be)).rejects.toThrow(`${be} is UTF-16: re-save it as UTF-8`)
  })

  it('says a results.json of a later version was written by a newer bonbench, not that it is broken', async () => {
    const real = plantedResults({ prompts: 4, arms: [{ strategy: 'sft', pass: () => 0 }] })
    const file = await write('newer.json', Buffer.from(JSON.stringify({ ...real, version: RESULTS_VERSION + 96 })))
    await expect(loadResults(file)).rejects.toMatchObject({
      code: 'BENCH_RUN_INVALID',
      message: expect.stringContaining(
        `${file} is a results.json of version ${RESULTS_VERSION + 96}, written by a newer bonbench than this one (it reads versions up to ${RESULTS_VERSION}): update bonbench`,
      ),
    })
  })
})
