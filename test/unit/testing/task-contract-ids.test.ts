import { describe, expect, it } from 'vitest'
import { checkTaskContract } from '../../../core/testing/index.js'
import type { TaskPlugin } from '../../../core/plugin-api/task.js'

// A task whose problems lack ids gets one problem per missing id (the \`problems\` check), not
// follow-on noise from the uniqueness checks ("id 'undefined' appears twice").
describe('checkTaskContract: problems without ids', () => {
  it('reports each missing id once, under problems, without "appears twice" or train/test follow-ons', async () => {
    const noIds = (n: number, from: number) => Array.from({ length: n }, (_, i) => ({ prompt: `${from + i} + 1 =`, answer: String(from + i + 1) }))
    const task = {
      name: 'local/no-ids',
      kind: 'task',
      meta: { version: '1.0.0' },
      rewardVerifier: 'toy-answer',
      load: async () => ({ train: noIds(3, 0), test: noIds(2, 10) }),
    } as unknown as TaskPlugin
    const report = await checkTaskContract(task, { seed: 0 }, { training: false })
    const messages = report.problems.map((p) => `${p.check}: ${p.message}`)
    expect(messages.filter((m) => m.includes('id must be a non-empty string'))).toHaveLength(5)
    expect(report.problems.filter((p) => p.check === 'unique-ids')).toEqual([])
    expect(messages.join('\n')).not.toMatch(/appears twice|names different problems/)
    expect(report.passed).toContain('unique-ids')
  })

  it('still reports a repeated id, and an id naming different problems in train and test', async () => {
    const task = {
      name: 'local/dup-ids',
      kind: 'task',
      meta: { version: '1.0.0' },
      rewardVerifier: 'toy-answer',
      load: async () => ({
        train: [
          { id: 'a', prompt: '1 + 1 =', answer: '2' },
          { id: 'a', prompt: '2 + 1 =', answer: '3' },
        ],
        test: [{ id: 'a', prompt: '3 + 1 =', answer: '4' }],
      }),
    } as unknown as TaskPlugin
    const report = await checkTaskContract(task, { seed: 0 }, { training: false })
    expect(report.problems.filter((p) => p.check === 'unique-ids').map((p) => p.message)).toEqual([
      "id 'a' appears twice in train: ids key the journal records and must be unique within a split",
      "id 'a' names different problems in train and test: one id must mean one problem",
    ])
  })
})
