/** Where a response's final answer was found (a feature of its own: format is a signal). */
export type AnswerSource = 'boxed' | 'hashes' | 'answer-line' | 'last-number' | 'none'

/** A response's final answer as the reward model sees it. */
export interface FinalAnswer {
  /** Normalised answer text ('' when none was found). */
  text: string
  source: AnswerSource
}

/** Content of the last `\boxed{…}`, with nested braces; undefined when there is none. */
function lastBoxed(text: string): string | undefined {
  const start = text.lastIndexOf('\\boxed{')
  if (start < 0) return undefined
  let depth = 0
  for (let i = start + '\\boxed'.length; i < text.length; i++) {
    if (text[i] === '{') depth++
    else if (text[i] === '}' && --depth === 0) return text.slice(start + '\\boxed{'.length, i)
  }
  return undefined
}

function normalise(answer: string): string {
  return answer
    .trim()
    .replace(/^\$+|\$+$/g, '')
    .replace(/[.。]+$/, '')
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/\s+/g, '')
}

/**
 * Extracts the final answer a response commits to, for features only (the environment reward
 * does its own, stricter extraction): the last `\boxed{…}`, else `#### x`, else the last line
 * of the form `answer: x` / `A: x` / `= x`, else the last number. Pure and total.
 */
export function extractFinalAnswer(response: string): FinalAnswer {
  const boxed = lastBoxed(response)
  if (boxed !== undefined) return { text: normalise(boxed), source: 'boxed' }
  const hashes = /####\s*([^\n]+)/g
  let match: RegExpExecArray | null
  let last: string | undefined
  while ((match = hashes.exec(response)) !== null) last = match[1]
  if (last !== undefined) return { text: normalise(last), source: 'hashes' }
  const lines = response
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = /^(?:(?:final\s+)?answer|a)\s*[:=]\s*(.+)$/i.exec(lines[i]!) ?? /=\s*([^=]+)$/.exec(lines[i]!)
    if (line) return { text: normalise(line[1]!), source: 'answer-line' }
  }
  const numbers = response.match(/-?\d+(?:\.\d+)?/g)
  if (numbers && numbers.length > 0) return { text: normalise(numbers[numbers.length - 1]!), source: 'last-number' }
  return { text: '', source: 'none' }
}
