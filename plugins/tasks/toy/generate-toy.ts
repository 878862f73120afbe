import type { Rng, Problem } from 'bonbench'
import { createRng } from 'bonbench'

/** One difficulty level of the toy task: how many answers a prompt offers and how many are right. */
export interface ToyLevel {
  choices: number
  correct: number
}

/**
 * The built-in levels, from easy to hard. Under a uniform policy p_fail is 1/4, 3/4, 7/8 and
 * 15/16; the tabular model's seeded initial logits spread each level further, so some prompts are
 * solved almost always, some rarely — the regime where Best-of-N matters.
 */
export const toyLevels: Record<number, ToyLevel> = {
  1: { choices: 4, correct: 3 },
  2: { choices: 4, correct: 1 },
  3: { choices: 8, correct: 1 },
  4: { choices: 16, correct: 1 },
}

const WORDS = [
  'amber',
  'birch',
  'cedar',
  'delta',
  'ember',
  'fjord',
  'grove',
  'heron',
  'iris',
  'jade',
  'kelp',
  'lotus',
  'maple',
  'nectar',
  'onyx',
  'pearl',
  'quartz',
  'raven',
  'sage',
  'tulip',
  'umber',
  'violet',
  'willow',
  'xenon',
  'yarrow',
  'zinc',
  'acorn',
  'basil',
  'coral',
  'dune',
  'elm',
  'fern',
  'garnet',
  'hazel',
  'ivy',
  'juniper',
  'kiwi',
  'lichen',
  'moss',
  'nutmeg',
]

/** Most answers a level may offer (the size of the word list). */
export const MAX_CHOICES = WORDS.length

/**
 * Generates `count` toy problems from `seed`: problem i has level levels[i mod levels.length],
 * a seeded choice of distinct answer words listed on a `choices:` line (the format the tabular
 * model reads), a seeded subset of them correct, and a correct expert answer. Deterministic.
 */
export function generateToyProblems(count: number, seed: number, levels: readonly number[], table: Record<number, ToyLevel>): Problem[] {
  const rng = createRng(seed)
  const width = String(Math.max(count - 1, 1)).length
  const problems: Problem[] = []
  for (let i = 0; i < count; i++) {
    const level = levels[i % levels.length]!
    const spec = table[level]!
    const answers = shuffle(WORDS, rng).slice(0, spec.choices)
    const correct = shuffle(answers, rng).slice(0, spec.correct)
    const id = `toy-${String(i).padStart(width, '0')}`
    const expert = correct[rng.int(correct.length)]!
    problems.push({
      id,
      prompt: `${id} (level ${level}): pick a right answer.\nchoices: ${answers.join(' | ')}\nanswer:`,
      answer: expert,
      expert,
      level,
      data: { answers, correct },
    })
  }
  return problems
}

function shuffle<T>(items: readonly T[], rng: Rng): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
