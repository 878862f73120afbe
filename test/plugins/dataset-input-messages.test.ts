// What a dataset task says about a --data file it cannot use: another task's data (named when its
// first line matches a built-in task's fields), a UTF-8 byte-order mark (read through), UTF-16 text
// (re-save it as UTF-8) and a symbolic link loop (said to be one). Real tasks, real files in a temp
// folder, the real data in ../shared/data.
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import type { TaskPlugin } from '../../core/plugin-api/task.js'
import { readVerifySamples } from '../../cli/verify-samples.js'
import { gsm8k } from '../../plugins/tasks/gsm8k/index.js'
import { humaneval } from '../../plugins/tasks/humaneval/index.js'
import { humanevalJs } from '../../plugins/tasks/humaneval-js/index.js'
import { math500 } from '../../plugins/tasks/math500/index.js'
import { mbpp } from '../../plugins/tasks/mbpp/index.js'
import { utf16Sign } from '../../core/text-encoding.js'
import { decodeMaybeGzip } from '../../plugins/tasks/shared/jsonl-dataset.js'
import { humanevalPyFile, humanevalXFile, mbppFile, sharedData } from './code-fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-data-input-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const gsm8kFile = path.join(sharedData, 'gsm8k/test.jsonl')
const math500File = path.join(sharedData, 'math/math500_test.jsonl')
const samplesFile = path.join(sharedData, 'samples/codet_codegen16B_humaneval_format.jsonl.gz')

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name)
  writeFileSync(file, content)
  return file
}

async function loadError(task: TaskPlugin, dataPath: string): Promise<Error & { code?: string }> {
  const error = await task.load({ seed: 0, dataPath }).then(
    () => undefined,
    (e: unknown) => e as Error & { code?: string },
  )
  if (error === undefined) throw new Error(`${task.name} loaded ${dataPath}`)
  return error
}

/** The first `n` lines of a real data file (gunzipped when it is gzip), as text. */
function head(file: string, n: number): string {
  const bytes = readFileSync(file)
  const text = (bytes[0] === 0x1f ? gunzipSync(bytes) : bytes).toString('utf8')
  return `${text.split('\n').slice(0, n).join('\n')}\n`
}

describe('another task’s data file', () => {
  it.each([
    [
      'humaneval given mbpp.jsonl',
      () => humaneval(),
      mbppFile,
      `bonbench:humaneval: ${mbppFile} looks like mbpp data, not humaneval data: its first line has the fields text, code, task_id (a number), test_setup_code, test_list (an array), challenge_test_list (an array), where humaneval reads records with task_id, prompt, canonical_solution, test, entry_point. Point --data at HumanEval.jsonl.gz (humaneval/HumanEval.jsonl.gz in a data folder).`,
    ],
    [
      'math500 given gsm8k test.jsonl',
      () => math500(),
      gsm8kFile,
      `bonbench:math500: ${gsm8kFile} looks like gsm8k data, not math500 data: its first line has the fields question, answer, where math500 reads records with problem, solution, answer. Point --data at math500_test.jsonl (math/math500_test.jsonl in a data folder), or the full MATH test set math_test_full.jsonl.gz.`,
    ],
    [
      'gsm8k given math500_test.jsonl',
      () => gsm8k(),
      math500File,
      `bonbench:gsm8k: ${math500File} looks like math500 data, not gsm8k data: its first line has the fields problem, solution, answer, subject, level (a number), unique_id, where gsm8k reads records with question, answer. Point --data at GSM8K's test.jsonl (gsm8k/test.jsonl in a data folder).`,
    ],
    [
      'mbpp given HumanEval.jsonl.gz',
      () => mbpp(),
      humanevalPyFile,
      `bonbench:mbpp: ${humanevalPyFile} looks like humaneval data, not mbpp data: its first line has the fields task_id, prompt, entry_point, canonical_solution, test, where mbpp reads records with task_id (an integer), text, code, test_list. Point --data at mbpp.jsonl (mbpp/mbpp.jsonl in a data folder).`,
    ],
  ])('%s names the task the file is for and the file to pass', async (_, make, file, message) => {
    const error = await loadError(make(), file)
    expect(error.code).toBe('BENCH_DATA_INVALID')
    expect(error.message).toBe(message)
  })

  it('names HumanEval-X data for humaneval, and a samples file as one', async () => {
    expect((await loadError(humaneval(), humanevalXFile)).message).toContain(`${humanevalXFile} looks like humaneval-js data, not humaneval data`)
    const samples = (await loadError(humaneval(), samplesFile)).message
    expect(samples).toContain(`${samplesFile} looks like a samples file of bench verify, not humaneval data: its first line has the fields task_id, completion`)
    expect(samples).toContain('Pass it to bench verify as --samples, and point --data at HumanEval.jsonl.gz')
    expect((await loadError(humanevalJs(), math500File)).message).toContain('looks like math500 data, not humaneval-js data')
  })

  it('says a first line with the fields of no known task does not look like the task’s data, listing its fields and types', async () => {
    const file = write('strange.jsonl', `${JSON.stringify({ task_id: '11', text: 't', code: 'c', test_list: ['assert 1'] })}\n`)
    expect((await loadError(mbpp(), file)).message).toBe(
      `bonbench:mbpp: ${file} does not look like mbpp data: its first line has the fields task_id, text, code, test_list (an array), where mbpp reads records with task_id (an integer), text, code, test_list. Point --data at mbpp.jsonl (mbpp/mbpp.jsonl in a data folder).`,
    )
  })

  it('keeps the bad-line message for a bad line after a good first line, and for a first line of the right kind', async () => {
    const later = write('later.jsonl', `${head(mbppFile, 1)}${JSON.stringify({ question: 'q', answer: 'a #### 1' })}\n`)
    expect((await loadError(mbpp(), later)).message).toBe(
      `bonbench:mbpp: ${later}:2: missing integer field 'task_id'. Fix or remove that line, or point --data at an unmodified copy.`,
    )
    const gsmLater = write('gsm-later.jsonl', `${head(gsm8kFile, 1)}${JSON.stringify({ problem: 'p', answer: '1' })}\n`)
    expect((await loadError(gsm8k(), gsmLater)).message).toContain(`${gsmLater}:2: no 'question' text. Fix or remove that line`)
    const noHashes = write('gsm-first.jsonl', `${JSON.stringify({ question: 'q', answer: 'just 5' })}\n`)
    expect((await loadError(gsm8k(), noHashes)).message).toContain(`${noHashes}:1: the 'answer' has no final '#### <number>' line`)
    const badEntry = JSON.parse(head(humanevalPyFile, 1)) as Record<string, unknown>
    const entry = write('entry.jsonl', `${JSON.stringify({ ...badEntry, entry_point: 'not an identifier' })}\n`)
    expect((await loadError(humaneval(), entry)).message).toContain(`${entry}:1: entry_point 'not an identifier' is not a Python identifier`)
  })
})

describe('text encodings', () => {
  const bom = Buffer.from([0xef, 0xbb, 0xbf])

  it('reads through a UTF-8 byte-order mark, in plain and gzip files and in decodeMaybeGzip', async () => {
    const text = head(gsm8kFile, 3)
    const plain = write('bom.jsonl', Buffer.concat([bom, Buffer.from(text)]))
    const gz = write('bom.jsonl.gz', gzipSync(Buffer.concat([bom, Buffer.from(text)])))
    const expected = await gsm8k().load({ seed: 0, dataPath: write('no-bom.jsonl', text) })
    for (const file of [plain, gz]) expect((await gsm8k().load({ seed: 0, dataPath: file })).test).toEqual(expected.test)
    const mbppBom = write('mbpp-bom.jsonl', Buffer.concat([bom, readFileSync(mbppFile)]))
    expect((await mbpp().load({ seed: 0, dataPath: mbppBom })).test).toHaveLength(500)
    expect(decodeMaybeGzip(Buffer.concat([bom, Buffer.from('{"a": 1}\n')]))).toBe('{"a": 1}\n')
    expect(decodeMaybeGzip(gzipSync(Buffer.concat([bom, Buffer.from('{"a": 1}\n')])))).toBe('{"a": 1}\n')
    expect(utf16Sign(Buffer.from('{"a": "é"}\n'))).toBeUndefined()
  })

  const text = head(gsm8kFile, 2)
  const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
  const be = Buffer.from(text, 'utf16le').swap16()
  it.each([
    ['UTF-16LE with its byte-order mark', 'le.jsonl', le, 'it starts with the UTF-16LE byte-order mark FF FE'],
    ['UTF-16BE without one', 'be.jsonl', be, 'every other byte of its start is a NUL byte, as in UTF-16 text'],
    ['gzip of UTF-16LE', 'le.jsonl.gz', gzipSync(le), 'it starts with the UTF-16LE byte-order mark FF FE'],
  ])('says to re-save %s as UTF-8, naming the file', async (_, name, bytes, sign) => {
    const file = write(name, bytes)
    const error = await loadError(gsm8k(), file)
    expect(error.code).toBe('BENCH_DATA_INVALID')
    expect(error.message).toBe(`bonbench:gsm8k: ${file} is UTF-16 (${sign}): re-save it as UTF-8 and point --data at that copy.`)
    await expect(readVerifySamples(file, new Set(['x']))).rejects.toThrow(
      `the samples file ${file} is UTF-16 (${sign}): re-save it as UTF-8 and pass that copy as --samples.`,
    )
    expect(utf16Sign(name.endsWith('.gz') ? gunzipSync(bytes) : bytes)).toBe(sign)
  })
})

describe('--data paths', () => {
  it('calls a symbolic link loop one, as --data and as a file inside a --data folder', async () => {
    const loop = path.join(dir, 'loop')
    symlinkSync('loop', loop)
    const error = await loadError(mbpp(), loop)
    expect(error.code).toBe('BENCH_DATA_MISSING')
    expect(error.message).toBe(
      `bonbench:mbpp: data path ${loop} is a symbolic link loop (following its links leads back to a link already followed, so it names no file); make the link point at the real file or folder. Pass --data <file.jsonl[.gz]> or a folder holding mbpp.jsonl or mbpp/mbpp.jsonl.`,
    )
    const folder = mkdtempSync(path.join(dir, 'folder-'))
    symlinkSync('test.jsonl', path.join(folder, 'test.jsonl'))
    expect((await loadError(gsm8k(), folder)).message).toContain(`data path ${path.join(folder, 'test.jsonl')} is a symbolic link loop`)
    expect((await loadError(mbpp(), path.join(dir, 'absent'))).message).toContain(`data path ${path.join(dir, 'absent')} does not exist`)
  })
})
