import type { Problem, Rng } from 'bonbench'
import { BenchError, createRng, deriveSeed } from 'bonbench'
import { generateProblem } from './generate-problem.js'
import type { LevelSpec } from './levels.js'

/** What `buildSplits` needs: resolved options of the `math` task. */
export interface SplitPlan {
  seed: number
  trainSize: number
  testSize: number
  /** Levels with their specs and mix weights, in the order given. */
  levels: Array<{ level: number; spec: LevelSpec; weight: number }>
  format: MathFormat
  maxChars: number
}

/** Splits `size` over weights by largest remainder, so counts sum exactly to `size`. */
export function allocate(size: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0)
  const exact = weights.map((w) => (size * w) / total)
  const counts = exact.map(Math.floor)
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest || a.i - b.i)
  for (let k = 0; k < size - counts.reduce((a, b) => a + b, 0); k++) counts[order[k]!.i]!++
  return counts
}

/**
 * How an expert solution is written: `steps` (one `a op b=c` line per operation), `reversed` (the
 * same lines with each result's digits written least significant first, `37+48=58` for 85 — the
 * order in which carries are computed, far easier for a small left-to-right model; the answer
 * line stays `A: 85`), or `direct` (the answer line only).
 */
export const mathFormats = ['steps', 'reversed', 'direct'] as const
export type MathFormat = (typeof mathFormats)[number]

/** `37+48=85` → `37+48=58`: the result's digits least significant first. */
export function reverseResult(step: string): string {
  return step.replace(/=(\d+)$/, (_, digits: string) => `=${[...digits].reverse().join('')}`)
}

/** The prompt shown for an expression: `Q: 37+48*2=?\n`. */
export function formatPrompt(expression: string): string {
  return `Q: ${expression}=?\n`
}

/** The expert completion: one line per step, then the answer line, e.g. `48*2=96\n37+96=133\nA: 133\n`. */
export function formatExpert(steps: string[], answer: number, format: MathFormat): string {
  if (format === 'direct') return `A: ${answer}\n`
  const lines = format === 'reversed' ? steps.map(reverseResult) : steps
  return `${lines.map((s) => `${s}\n`).join('')}A: ${answer}\n`
}

function shuffle<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}

function drawSplit(split: 'train' | 'test', size: number, plan: SplitPlan, taken: Set<string>): Problem[] {
  const rng = createRng(deriveSeed(plan.seed, 'math', split))
  const counts = allocate(
    size,
    plan.levels.map((l) => l.weight),
  )
  const problems: Problem[] = []
  plan.levels.forEach(({ level, spec }, k) => {
    const levelRng = rng.fork(`level-${level}`)
    const want = counts[k]!
    let got = 0
    for (let attempt = 0; got < want; attempt++) {
      if (attempt > 100 * want + 2000) {
        throw new BenchError(
          'BENCH_PLUGIN_OPTIONS',
          `bonbench:math: level ${level} has too few distinct problems within ${plan.maxChars} characters for ${split}Size (found ${got} of ${want} after ${attempt} draws). Lower trainSize/testSize, raise maxChars, or widen the level's digits in levelSpecs.`,
        )
      }
      const drawn = generateProblem(levelRng, spec)
      if (!drawn) continue
      const prompt = formatPrompt(drawn.expression)
      const expert = formatExpert(drawn.steps, drawn.answer, plan.format)
      if (taken.has(prompt) || prompt.length + expert.length > plan.maxChars) continue
      taken.add(prompt)
      got++
      problems.push({ id: '', prompt, expert, answer: String(drawn.answer), level, data: { expression: drawn.expression, steps: drawn.steps.length } })
    }
  })
  return shuffle(problems, rng.fork('order')).map((p, i) => ({ ...p, id: `${split}-${i}` }))
}

/**
 * Generates the test split, then the train split with every test prompt excluded, so the splits are
 * disjoint and each is free of duplicates. Deterministic in `plan` (never in the run's seed); level
 * counts follow the mix exactly (largest remainder). Throws BENCH_PLUGIN_OPTIONS when a level
 * cannot supply enough distinct problems.
 */
export function buildSplits(plan: SplitPlan): { train: Problem[]; test: Problem[] } {
  const taken = new Set<string>()
  const test = drawSplit('test', plan.testSize, plan, taken)
  const train = drawSplit('train', plan.trainSize, plan, taken)
  return { train, test }
}
