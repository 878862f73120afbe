import { extractFinalAnswer } from './final-answer.js'
import type { FeatureGroup } from './options.js'

/** One (prompt, response) pair as sparse hashed features: distinct indices in [0, dim). */
export interface SparseFeatures {
  indices: Int32Array
  values: Float32Array
}

/** The question is usually at the end of a (possibly few-shot) prompt. */
const PROMPT_TAIL_CHARS = 240
const RESPONSE_HEAD_CHARS = 1200
const PROMPT_NUMBERS = 4

function fnv1a(text: string): number {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return h >>> 0
}

/** Digits → '0': lets n-grams see the shape of numbers without memorising them. */
function shape(text: string): string {
  return text.replace(/\d/g, '0')
}

function promptKeys(prompt: string): string[] {
  const tokens = prompt.slice(-PROMPT_TAIL_CHARS).match(/\d+|[A-Za-z]+|[^\sA-Za-z\d]/g) ?? []
  const words = tokens.map((t) => (/^\d/.test(t) ? `#${t.length}` : t.toLowerCase()))
  const keys = words.map((w) => `u:${w}`)
  for (let i = 1; i < words.length; i++) keys.push(`b:${words[i - 1]}_${words[i]}`)
  return keys
}

function responseKeys(response: string): string[] {
  const text = shape(response.slice(0, RESPONSE_HEAD_CHARS))
  const keys: string[] = []
  for (let i = 0; i + 3 <= text.length; i++) keys.push(`c3:${text.slice(i, i + 3)}`)
  const lines = response.split('\n').filter((line) => line.trim().length > 0).length
  keys.push(`lines:${Math.min(lines, 12)}`)
  return keys
}

function lengthBucket(n: number): number {
  return n <= 0 ? 0 : Math.min(12, Math.floor(Math.log2(n)) + 1)
}

function integerText(text: string): string | undefined {
  return /^-?\d+$/.test(text) ? text : undefined
}

/** The number mod 9 from its digits (casting out nines), signed like the number. */
function mod9(digits: string): number {
  const negative = digits.startsWith('-')
  let sum = 0
  for (const ch of negative ? digits.slice(1) : digits) sum = (sum + ch.charCodeAt(0) - 48) % 9
  return negative ? (9 - sum) % 9 : sum
}

function lastDigit(digits: string): string {
  return digits[digits.length - 1]!
}

function digitCount(digits: string): number {
  return digits.replace('-', '').replace(/^0+(?=\d)/, '').length
}

function answerKeys(prompt: string, answer: string, source: string, response: string): string[] {
  const keys = [`src:${source}`, `rlen:${lengthBucket(response.length)}`]
  if (source === 'none') return keys
  const int = integerText(answer)
  keys.push(int ? `int:${digitCount(int)}` : `nonint:${shape(answer).slice(0, 8)}`)
  if (answer.startsWith('-')) keys.push('neg')
  const promptNumbers: string[] = prompt.slice(-PROMPT_TAIL_CHARS).match(/-?\d+(?:\.\d+)?/g) ?? []
  if (promptNumbers.includes(answer)) keys.push('in-prompt')
  return keys
}

/**
 * Digit-agreement features: the answer's last digit, residue mod 9 and length crossed with those
 * of each pair of the question's numbers and its operators — tables a small model can partly
 * learn (casting out nines catches many slips), so r carries real but imperfect signal.
 */
function crossKeys(prompt: string, answer: string): string[] {
  const int = integerText(answer)
  if (!int) return ['x:nonint']
  const tail = prompt.slice(-PROMPT_TAIL_CHARS)
  const numbers = (tail.match(/\d+/g) ?? []).slice(-PROMPT_NUMBERS)
  const ops = [...new Set(tail.match(/[+\-*×÷/^]/g) ?? [])].sort().join('')
  const keys: string[] = []
  const a = { ld: lastDigit(int), m9: mod9(int), nd: digitCount(int) }
  for (let i = 0; i < numbers.length; i++) {
    const x = numbers[numbers.length - 1 - i]!
    keys.push(`x1:${i}:${ops}:${lastDigit(x)}${a.ld}`)
    for (let j = i + 1; j < numbers.length; j++) {
      const y = numbers[numbers.length - 1 - j]!
      const pair = `${i}${j}:${ops}`
      keys.push(`xld:${pair}:${lastDigit(x)}${lastDigit(y)}${a.ld}`)
      keys.push(`xm9:${pair}:${mod9(x)}${mod9(y)}${a.m9}`)
      keys.push(`xnd:${pair}:${digitCount(x)}_${digitCount(y)}_${a.nd}`)
    }
  }
  return keys
}

const STEP = /(-?\d+)\s*([-+*×x/÷])\s*(-?\d+)\s*=\s*(-?\d+)/
const MAX_STEPS = 8

/**
 * Worked-step features for `a op b = c` lines of the response: each step's last digits and
 * residues mod 9 crossed with its operator (a partly learnable arithmetic check), whether its
 * operands come from the prompt or earlier results (copy slips), and whether the final answer is
 * the last step's result. The strongest group on step-by-step math; drop it to weaken r.
 */
function stepKeys(prompt: string, response: string, answer: string): string[] {
  const known = new Set(prompt.slice(-PROMPT_TAIL_CHARS).match(/\d+/g) ?? [])
  const steps = response
    .split('\n')
    .slice(0, 64)
    .map((line) => STEP.exec(line))
    .filter((m) => m !== null)
    .slice(0, MAX_STEPS)
  const keys = [`count:${steps.length}`]
  for (const [, x, op, y, z] of steps as string[][]) {
    keys.push(`ld:${op}:${lastDigit(x!)}${lastDigit(y!)}${lastDigit(z!)}`)
    keys.push(`m9:${op}:${mod9(x!)}${mod9(y!)}${mod9(z!)}`)
    keys.push(`nd:${op}:${digitCount(x!)}_${digitCount(y!)}_${digitCount(z!)}`)
    keys.push(`grounded:${known.has(x!.replace('-', ''))}${known.has(y!.replace('-', ''))}`)
    known.add(z!.replace('-', ''))
  }
  if (steps.length > 0 && answer !== '') keys.push(`final-is-last:${answer === steps[steps.length - 1]![4]}`)
  return keys
}

/**
 * Hashes the chosen feature groups of one (prompt, response) pair into `dim` buckets. Each group
 * is scaled to unit L2 norm so no group drowns the others. Pure and deterministic; runs in
 * prepare (training) and in score.
 */
export function extractFeatures(prompt: string, response: string, groups: readonly FeatureGroup[], dim: number): SparseFeatures {
  const answer = extractFinalAnswer(response)
  // An always-on feature: every row has at least one entry to gather.
  const accumulated = new Map<number, number>([[fnv1a('bias') % dim, 1]])
  for (const group of groups) {
    const keys =
      group === 'prompt'
        ? promptKeys(prompt)
        : group === 'response'
          ? responseKeys(response)
          : group === 'answer'
            ? answerKeys(prompt, answer.text, answer.source, response)
            : group === 'steps'
              ? stepKeys(prompt, response, answer.text)
              : answer.source === 'none'
                ? ['x:none']
                : crossKeys(prompt, answer.text)
    const counts = new Map<number, number>()
    for (const key of keys) {
      const index = fnv1a(`${group}|${key}`) % dim
      counts.set(index, (counts.get(index) ?? 0) + 1)
    }
    let norm = 0
    for (const c of counts.values()) norm += c * c
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0
    for (const [index, c] of counts) accumulated.set(index, (accumulated.get(index) ?? 0) + c * scale)
  }
  const indices = Int32Array.from([...accumulated.keys()].sort((x, y) => x - y))
  const values = Float32Array.from(indices, (index) => accumulated.get(index)!)
  return { indices, values }
}
