import { createRng, deriveSeed, BenchError } from 'bonbench'
import { parseChoices } from './answer-set.js'

/** The parameters of one prompt: its answers, logits θ, the frozen reference θ_ref and Adam state. */
export interface TableEntry {
  answers: string[]
  index: Map<string, number>
  logits: number[]
  /** π_ref of the KL penalty: the logits when the entry was created, or when the table was copied to fine-tune (kept by save and load). */
  ref: number[]
  adam?: { m: number[]; v: number[]; t: number }
}

/** How a table initialises the prompts it has not seen yet. */
export interface TableInit {
  seed: number
  /** Standard deviation of the initial logits (0: uniform policy). */
  initScale: number
  /** A fixed answer set for every prompt, instead of each prompt's `choices:` line. */
  answers?: readonly string[]
}

/**
 * The logit table θ[prompt][answer]. A prompt's entry is created the first time the prompt is
 * seen, with logits drawn from N(0, initScale²) seeded by (seed, prompt, answer) — so the initial
 * policy of a prompt never depends on the order in which prompts are met.
 */
export class TabularTable {
  readonly entries = new Map<string, TableEntry>()
  constructor(readonly init: TableInit) {}

  /** The entry of `prompt`, created on first sight. Throws BENCH_USAGE when no answer set is known. */
  entry(prompt: string): TableEntry {
    const found = this.entries.get(prompt)
    if (found) return found
    const answers = this.init.answers ? [...this.init.answers] : parseChoices(prompt)
    if (!answers) {
      const shown = prompt.length > 60 ? `${prompt.slice(0, 60)}…` : prompt
      throw new BenchError(
        'BENCH_USAGE',
        `bonbench:tabular: the prompt '${shown}' declares no answer set. Add a line 'choices: a | b | c' to the prompt (the toy task does), or give the model a fixed set with the option answers: ['a', 'b', …].`,
      )
    }
    const logits = this.initialLogits(prompt, answers)
    const created = makeEntry(answers, logits, [...logits])
    this.entries.set(prompt, created)
    return created
  }

  /** The logits a prompt's entry starts with: a function of (seed, prompt, answer) alone. */
  initialLogits(prompt: string, answers: readonly string[]): number[] {
    return answers.map((answer) => this.init.initScale * standardNormal(deriveSeed(this.init.seed, 'tabular', prompt, answer)))
  }

  /**
   * Whether an entry is exactly what `entry(prompt)` creates on first sight (never trained, no
   * optimizer state, its reference its own logits): such an entry carries no information — a
   * table without it makes it again, bit for bit — so checkpoints leave it out, and what a
   * checkpoint holds never depends on which prompts the model merely met (sampled, scored) before.
   */
  isPristine(prompt: string, e: TableEntry): boolean {
    if (e.adam) return false
    const answers = this.init.answers ? [...this.init.answers] : parseChoices(prompt)
    if (!answers || answers.length !== e.answers.length || answers.some((a, i) => a !== e.answers[i])) return false
    const initial = this.initialLogits(prompt, answers)
    return initial.every((x, i) => Object.is(x, e.logits[i]) && Object.is(x, e.ref[i]))
  }

  /** The prompts whose entries carry information (not {@link isPristine}), sorted: what a checkpoint holds. */
  storedPrompts(): string[] {
    return [...this.entries.keys()].filter((prompt) => !this.isPristine(prompt, this.entries.get(prompt)!)).sort()
  }

  /**
   * A copy to fine-tune (the fine-tuning rule of core/plugin-api/model.ts): the same logits, no
   * optimizer state, and the KL reference set to those logits — the weights training starts from,
   * as the tiny-transformer's reference frozen at its first KL step. Prompts not met yet are
   * created on first sight from the same seed, as in the original.
   */
  copy(): TabularTable {
    const table = new TabularTable(this.init)
    for (const [prompt, e] of this.entries) table.entries.set(prompt, makeEntry([...e.answers], [...e.logits], [...e.logits]))
    return table
  }

  /** Number of logits a checkpoint holds (entries met but never trained are made again on first sight, and not counted). */
  get parameters(): number {
    let total = 0
    for (const prompt of this.storedPrompts()) total += this.entries.get(prompt)!.logits.length
    return total
  }
}

/** Builds an entry with its answer → index map. */
export function makeEntry(answers: string[], logits: number[], ref: number[]): TableEntry {
  return { answers, index: new Map(answers.map((a, i) => [a, i])), logits, ref }
}

/** A standard normal draw from a seed (Box–Muller). */
function standardNormal(seed: number): number {
  const rng = createRng(seed)
  const u = 1 - rng.next()
  const v = rng.next()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
