import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Problem } from '../../core/plugin-api/task.js'
import { MBPP_SPLITS, mbpp } from '../../plugins/tasks/mbpp/index.js'
import { pythonSandbox } from '../../plugins/verifiers/python-sandbox/index.js'
import { buildProgram, type CodePayload } from '../../plugins/verifiers/shared/code-payload.js'
import { mbppFile, sharedData } from './code-fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'bonbench-mbpp-'))
const verifier = pythonSandbox()
afterAll(async () => {
  await verifier.dispose!()
  rmSync(dir, { recursive: true, force: true })
})

const idOf = (p: Problem) => Number(p.id.replace('Mbpp/', ''))

describe('mbpp task', () => {
  it('splits by task id as the MBPP paper does: test 11–510, validation 511–600, train 601–974; sha256 recorded', async () => {
    const test = await mbpp().load({ seed: 0, dataPath: mbppFile })
    expect(test.test).toHaveLength(500)
    expect(test.train).toHaveLength(374)
    expect([Math.min(...test.test.map(idOf)), Math.max(...test.test.map(idOf))]).toEqual([...MBPP_SPLITS.test])
    expect([Math.min(...test.train.map(idOf)), Math.max(...test.train.map(idOf))]).toEqual([...MBPP_SPLITS.train])
    expect(test.files).toEqual([{ path: mbppFile, sha256: 'ccf64ceae9c5403bf50a044cb6d505bfd2a2963ee58338ba268fd65beab92a9f' }])
    const validation = await mbpp({ evalSplit: 'validation' }).load({ seed: 0, dataPath: sharedData })
    expect(validation.test.map(idOf)).toEqual(Array.from({ length: 90 }, (_, i) => 511 + i))
    expect(validation.train).toEqual(test.train)
  })

  it('prompts with the task and its asserts, ends at [BEGIN]; the program is completion + setup + asserts; few-shot uses tasks 2, 3, 4', async () => {
    const task = mbpp()
    expect(task.rewardVerifier).toBe('python-sandbox')
    expect(task.generation?.stop).toEqual(['[DONE]'])
    const p = (await task.load({ seed: 0, dataPath: mbppFile })).test[0]!
    expect(p.id).toBe('Mbpp/11')
    expect(p.prompt).toMatch(/^You are an expert Python programmer, and here is your task: Write a python function to remove first and last occurrence/)
    expect(p.prompt).toContain('assert remove_Occ("hello","l") == "heo"')
    expect(p.prompt.endsWith('[BEGIN]\n')).toBe(true)
    expect(p.expert).not.toContain('\r')
    const payload = p.data as unknown as CodePayload
    expect(payload).toMatchObject({ language: 'python', format: 'mbpp', prefix: '', stopTokens: ['[DONE]'] })
    const program = buildProgram(p, payload, 'def remove_Occ(s, ch):\n    return s\n[DONE]\nleftover')
    expect(program.startsWith('def remove_Occ(s, ch):\n    return s\n\n')).toBe(true)
    expect(program).not.toContain('leftover')
    expect(program).toContain('assert remove_Occ("PHP","P") == "H"')
    const shot = (await mbpp({ fewShot: 3 }).load({ seed: 0, dataPath: mbppFile })).test[0]!
    expect(shot.prompt.match(/\[DONE\]/g)).toHaveLength(3)
    expect(shot.prompt).toContain('def similar_elements(test_tup1, test_tup2):')
    expect(shot.prompt.endsWith(p.prompt)).toBe(true)
  })

  it('passes every reference solution of the test, validation and train splits (964) in python-sandbox; a wrong one fails', async () => {
    // Mbpp/123's reference needs about 3.3 s of CPU, over the 3 s default: grade with room to spare.
    const o = { timeoutMs: 20_000 }
    const [a, b] = await Promise.all([
      mbpp(o).load({ seed: 0, dataPath: mbppFile }),
      mbpp({ ...o, evalSplit: 'validation' }).load({ seed: 0, dataPath: mbppFile }),
    ])
    const problems = [...a.test, ...b.test, ...a.train]
    expect(problems).toHaveLength(964)
    const verdicts = await verifier.score(
      problems.map((problem) => ({ problem, completion: `${problem.expert!}[DONE]` })),
      { concurrency: 2 },
    )
    expect(verdicts.flatMap((v, i) => (v.pass ? [] : [`${problems[i]!.id}: ${v.reason} ${v.detail}`]))).toEqual([])
    const [wrong] = await verifier.score([{ problem: problems[0]!, completion: 'def remove_Occ(s, ch):\n    return s\n' }], { concurrency: 1 })
    expect(wrong).toMatchObject({ pass: false, reason: 'assertion' })
  }, 300_000)

  it('names file and line of a bad record; asks for --data; refuses a file without the test split', async () => {
    const good = { text: 't', code: 'x = 1', task_id: 11, test_setup_code: '', test_list: ['assert x == 1'], challenge_test_list: [] }
    const bad = path.join(dir, 'bad.jsonl')
    writeFileSync(bad, `${JSON.stringify(good)}\n${JSON.stringify({ ...good, task_id: 12, test_list: [] })}\n`)
    await expect(mbpp().load({ seed: 0, dataPath: bad })).rejects.toThrow(/bad\.jsonl:2: field 'test_list' must be a non-empty array/)
    const dup = path.join(dir, 'dup.jsonl')
    writeFileSync(dup, `${JSON.stringify(good)}\n${JSON.stringify(good)}\n`)
    await expect(mbpp().load({ seed: 0, dataPath: dup })).rejects.toThrow(/dup\.jsonl:2: duplicate task_id '11'/)
    const trainOnly = path.join(dir, 'train-only.jsonl')
    writeFileSync(trainOnly, `${JSON.stringify({ ...good, task_id: 700 })}\n`)
    await expect(mbpp().load({ seed: 0, dataPath: trainOnly })).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
      message: expect.stringContaining('11–510'),
    })
    await expect(mbpp({ fewShot: 2 }).load({ seed: 0, dataPath: trainOnly })).rejects.toThrow(/fewShot 2 needs task ids 2, 3/)
    await expect(mbpp().load({ seed: 0 })).rejects.toMatchObject({ code: 'BENCH_DATA_MISSING', message: expect.stringContaining('--data') })
  })
})
