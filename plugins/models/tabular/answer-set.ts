/**
 * How the `tabular` model learns a prompt's answer set: the prompt declares it on a line
 *
 *     choices: amber | birch | cedar
 *
 * (the last such line wins; answers are trimmed, empty ones dropped, duplicates kept once).
 * The `toy` task writes its prompts this way, and any multiple-choice task can. A fixed set for
 * every prompt can instead be given as the model option `answers`.
 */

const CHOICES_LINE = /^[ \t]*choices:[ \t]*(.*)$/gm

/** The answers a prompt declares on its `choices:` line, in order; undefined when it has none. */
export function parseChoices(prompt: string): string[] | undefined {
  let last: string | undefined
  for (const match of prompt.matchAll(CHOICES_LINE)) last = match[1]
  if (last === undefined) return undefined
  const answers = [
    ...new Set(
      last
        .split('|')
        .map((a) => a.trim())
        .filter((a) => a !== ''),
    ),
  ]
  return answers.length > 0 ? answers : undefined
}

/** The `choices:` line for a list of answers (the inverse of parseChoices). */
export function formatChoices(answers: readonly string[]): string {
  return `choices: ${answers.join(' | ')}`
}
