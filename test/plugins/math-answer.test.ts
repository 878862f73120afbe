import { describe, expect, it } from 'vitest'
import { isBenchError } from '../../core/errors.js'
import type { Problem } from '../../core/plugin-api/task.js'
import { answersMatch, extractAnswer, mathAnswer, normalizeAnswer } from '../../plugins/verifiers/math-answer/index.js'

const extraction: Array<[string, string | undefined]> = [
  ['so \\boxed{\\frac{1}{2}}.', '\\frac{1}{2}'],
  ['\\boxed{\\left(3, \\frac{\\pi}{2}\\right)}', '\\left(3, \\frac{\\pi}{2}\\right)'],
  ['\\boxed{\\frac{\\sqrt{3}}{\\sqrt{2}+1}}', '\\frac{\\sqrt{3}}{\\sqrt{2}+1}'],
  ['first \\boxed{a}, finally \\boxed{b}', 'b'],
  ['\\fbox{7}', '7'],
  ['is $\\boxed 5$', '5'],
  ['\\boxed{3} and then the text ends mid-box \\boxed{4', '3'],
  ['so she pays 1,234 dollars.\n#### 1,234', '1,234'],
  ['The answer is $42$.', '42'],
  ['Thus the final answer is: 7', '7'],
  ['The answer is 5. Checking again, the answer is 7. Done.', '7'],
  ['So the answer is 3.5', '3.5'],
  ['48*2=96\n37+96=133\nA: 133\n', '133'],
  ['A: 12\nA:13', '13'],
  ['there is no final answer here, only 12', undefined],
  ['', undefined],
  ['\\boxed{', undefined],
]

const normalisation: Array<[string, string]> = [
  ['\\frac{1}{2}', '0.5'],
  ['\\dfrac{1}{2}', '0.5'],
  ['\\tfrac12', '0.5'],
  ['1/2', '0.5'],
  ['.5', '0.5'],
  ['0.50', '0.5'],
  ['\\frac{-3}{4}', '-0.75'],
  ['-\\frac{40}{153}', '-40/153'],
  ['\\frac{2}{6}', '1/3'],
  ['12\\frac{3}{5}', '12.6'],
  ['1,000', '1000'],
  ['1{,}000', '1000'],
  ['1,\\!000', '1000'],
  ['10\\,000', '10000'],
  ['+7', '7'],
  ['-0', '0'],
  ['90^\\circ', '90'],
  ['90^{\\circ}', '90'],
  ['90°', '90'],
  ['25\\%', '25'],
  ['\\$6', '6'],
  ['\\$1,\\!234.50', '1234.5'],
  ['100\\text{ square units}', '100'],
  ['5 cm', '5'],
  ['5\\text{ cm}^2', '5'],
  ['4t', '4t'],
  ['\\text{Evelyn}', 'evelyn'],
  ['\\mbox{odd}', 'odd'],
  ['\\text{(C)}', 'C'],
  ['(B)', 'B'],
  ['x = 5', '5'],
  ['x \\in [2, 5)', '[2,5)'],
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3,\\frac{\\pi}{2})'],
  ['(-\\infty, 3]', '(-\\infty,3]'],
  ['11\\sqrt2', '11\\sqrt{2}'],
  ['52_{8}', '52_8'],
  ['$\\frac{3}{4}$', '0.75'],
  ['\\boxed{5}', '5'],
  ['p - q', 'p-q'],
  ['3.', '3'],
]

const matches: Array<[string, string, boolean]> = [
  ['0.5', '\\frac{1}{2}', true],
  ['\\dfrac{3}{50}', '\\frac{3}{50}', true],
  ['0.06', '\\frac{3}{50}', true],
  ['1,000', '1000', true],
  ['900,\\!000,\\!000', '900,000,000', true],
  ['48', '48^\\circ', true],
  ['198', '198\\%', true],
  ['6', '\\$6', true],
  ['100', '100\\text{ square units}', true],
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '(3,\\frac{\\pi}{2})', true],
  ['[1,2)', '[1, 2)', true],
  ['(0.5, 2)', '\\left(\\frac12, 2\\right)', true],
  ['3, 5, 7', '7,5,3', true],
  ['x=1, x=-2', '1,-2', true],
  ['\\text{Evelyn}', 'evelyn', true],
  ['0.33', '\\frac13', false],
  ['(1,2)', '(2,1)', false],
  ['[1,2)', '(1,2)', false],
  ['3, 5', '3, 5, 7', false],
  ['-5', '5', false],
  ['134', '133', false],
  ['x+1', 'x-1', false],
  ['\\frac{1}{9}', '\\frac{1}{8}', false],
  ['4t', '4', false],
]

describe('math-answer extraction', () => {
  it.each(extraction)('extractAnswer(%j) = %j', (text, expected) => {
    expect(extractAnswer(text)).toBe(expected)
  })

  it('falls back to the last number only when asked', () => {
    expect(extractAnswer('only 12 and then 1,500.', { lastNumber: true })).toBe('1,500')
    expect(extractAnswer('no numbers', { lastNumber: true })).toBeUndefined()
  })
})

describe('math-answer normalisation', () => {
  it.each(normalisation)('normalizeAnswer(%j) = %j', (raw, expected) => {
    expect(normalizeAnswer(raw)).toBe(expected)
  })

  it.each(matches)('answersMatch(%j, %j) = %s, in both orders', (a, b, expected) => {
    expect(answersMatch(a, b)).toBe(expected)
    expect(answersMatch(b, a)).toBe(expected)
  })

  it('accepts near-equal numbers only with a tolerance', () => {
    expect(answersMatch('0.333', '\\frac{1}{3}', { tolerance: 0.01 })).toBe(true)
    expect(answersMatch('0.3', '\\frac{1}{3}', { tolerance: 0.01 })).toBe(false)
  })
})

describe('math-answer on hostile input', () => {
  it.each([
    ['5 ' + 'a'.repeat(60) + '!', undefined],
    ['\\boxed{'.repeat(3000), undefined],
    ['\\boxed{'.repeat(3000) + '\\boxed{7}', '7'],
    ['{'.repeat(5000), undefined],
    ['A: 1\n'.repeat(3000), '1'],
    ['the answer is 3. '.repeat(3000), '3'],
    ['answer is '.repeat(3000), undefined],
  ])('stays total on a long pathological string (%#)', (text, expected) => {
    expect(extractAnswer(text)).toBe(expected)
    expect(typeof normalizeAnswer(text)).toBe('string')
    expect(answersMatch(text, text)).toBe(true)
  })
})

describe('math-answer verifier', () => {
  const problem: Problem = { id: 'p', prompt: 'Q: 37+48*2=?\n', answer: '133' }
  const score = (completion: string, options = {}) => mathAnswer(options).score([{ problem, completion }], { concurrency: 1 })

  it('rewards a correct answer line and reports the normalised answer', async () => {
    expect(await score('48*2=96\n37+96=133\nA: 133\n')).toEqual([{ score: 1, reward: 1, pass: true, reason: 'passed', answer: '133' }])
  })

  it('fails a wrong answer and says no-answer when there is none', async () => {
    expect(await score('48*2=96\n37+96=134\nA: 134\n')).toEqual([{ score: 0, reward: 0, pass: false, reason: 'failed', answer: '134' }])
    expect(await score('48*2=96\n37+96=133\n')).toEqual([{ score: 0, reward: 0, pass: false, reason: 'no-answer' }])
    expect((await score('48*2=96\n37+96=133\n', { lastNumber: true }))[0]!.reason).toBe('passed')
  })

  it('gives equal answers written differently the same normalised answer (for majority vote)', async () => {
    const half: Problem = { id: 'h', prompt: '', answer: '\\frac{1}{2}' }
    const verdicts = await mathAnswer().score(
      ['\\boxed{\\dfrac12}', 'The answer is 0.5.', 'A: 1/2', '#### .50'].map((completion) => ({ problem: half, completion })),
      { concurrency: 1 },
    )
    expect(verdicts.map((v) => [v.pass, v.answer])).toEqual(Array(4).fill([true, '0.5']))
  })

  it('scores a batch in order', async () => {
    const verdicts = await mathAnswer().score(
      ['\\boxed{133}', 'A: 1', '', 'The answer is 133.'].map((completion) => ({ problem, completion })),
      { concurrency: 1 },
    )
    expect(verdicts.map((v) => v.reason)).toEqual(['passed', 'failed', 'no-answer', 'passed'])
  })

  it('names itself and rejects bad options and answerless problems', async () => {
    const plugin = mathAnswer()
    expect(plugin).toMatchObject({ name: 'bonbench:math-answer', kind: 'verifier', options: { lastNumber: false, tolerance: 0 } })
    const bad = (() => {
      try {
        mathAnswer({ tolerance: -1 })
      } catch (error) {
        return error
      }
    })()
    expect(isBenchError(bad) && bad.code).toBe('BENCH_PLUGIN_OPTIONS')
    expect(String(bad)).toContain('bonbench:math-answer')
    await expect(plugin.score([{ problem: { id: 'x', prompt: '' }, completion: '1' }], { concurrency: 1 })).rejects.toMatchObject({
      code: 'BENCH_DATA_INVALID',
    })
  })
})
