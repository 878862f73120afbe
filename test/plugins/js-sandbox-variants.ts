import type { Problem } from '../../core/plugin-api/task.js'
import type { VerifyItem } from '../../core/plugin-api/verifier.js'

/** One candidate of the verdict set, with a stable key: `<task id> <variant>`. */
export interface KeyedItem extends VerifyItem {
  key: string
}

/**
 * Candidates for HumanEval-X problems whose verdicts span every reason: the reference; a wrong
 * constant answer; the next problem's reference (wrong code that calls names it lacks, returns
 * the wrong type, …); the reference with its first `<` made `<=` and its first `+ 1` made `+ 2`
 * (off-by-one mutants, often close to right); one that throws; one that does not parse; one
 * that loops (a timeout under a short limit, every 16th problem only, to keep the set quick).
 * Left out: mutants that end only after a second or more (their verdict under a short limit would
 * depend on the machine's speed).
 */
const SLOW_MUTANTS = new Set(['JavaScript/88 lt to le', 'JavaScript/90 lt to le'])

export function variantsOf(problems: Problem[]): KeyedItem[] {
  const items: KeyedItem[] = []
  problems.forEach((problem, i) => {
    const reference = problem.expert!
    const next = problems[(i + 1) % problems.length]!.expert!
    const add = (variant: string, completion: string) => {
      const key = `${problem.id} ${variant}`
      if (!SLOW_MUTANTS.has(key)) items.push({ key, problem, completion })
    }
    add('reference', reference)
    add('constant', '  return 0\n}\n')
    add('next reference', next)
    if (reference.includes('<')) add('lt to le', reference.replace('<', '<='))
    if (reference.includes('+ 1')) add('plus two', reference.replace('+ 1', '+ 2'))
    add('throws', "  throw new TypeError('no')\n}\n")
    add('syntax', '  return (\n}\n')
    if (i % 16 === 0) add('loops', '  for (;;) {}\n}\n')
  })
  return items
}
