/** Where an extracted answer was found, most explicit first. */
export type AnswerSource = 'boxed' | 'hashes' | 'answer-is' | 'answer-line' | 'last-number'

/** An answer found in a completion, as written (not yet normalised). */
export interface ExtractedAnswer {
  text: string
  source: AnswerSource
}

/** How `extractAnswer` searches. */
export interface ExtractOptions {
  /** Fall back to the last number in the text when no explicit answer is found (default false). */
  lastNumber?: boolean
}

/**
 * The content of the last complete `\boxed{…}` / `\fbox{…}` (nested braces matched; also the
 * brace-less `\boxed 5`). An unclosed last box (a truncated completion) falls back to an earlier one.
 */
export function lastBoxed(text: string): string | undefined {
  const pattern = /\\(?:boxed|fbox)(?![a-zA-Z])/g
  const starts: number[] = []
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) starts.push(m.index + m[0].length)
  if (starts.length === 0) return undefined
  const close = matchBraces(text)
  for (let k = starts.length - 1; k >= 0; k--) {
    let i = starts[k]!
    while (text[i] === ' ') i++
    if (text[i] === '{') {
      const end = close.get(i)
      if (end !== undefined) return text.slice(i + 1, end)
    } else if (i > starts[k]!) {
      const bare = /^[^\s$]+/.exec(text.slice(i))
      if (bare) return bare[0]
    }
  }
  return undefined
}

/** Maps each `{` that closes to the index of its `}` in one pass (escaped braces skipped). */
function matchBraces(text: string): Map<number, number> {
  const close = new Map<number, number>()
  const open: number[] = []
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\\') i++
    else if (ch === '{') open.push(i)
    else if (ch === '}' && open.length > 0) close.set(open.pop()!, i)
  }
  return close
}

function lastMatch(text: string, pattern: RegExp): RegExpExecArray | undefined {
  let found: RegExpExecArray | undefined
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) found = m
  return found
}

/** Trims the wrapping a sentence puts around an answer: `$…$`, a final period, bold markers. */
function tidy(answer: string): string {
  let s = answer.trim()
  s = s.replace(/^\*\*|\*\*$/g, '').trim()
  s = s.replace(/[.。]+$/, '').trim()
  const math = /^\$+([^$]*)\$+$/.exec(s) ?? /^\\\((.*)\\\)$/.exec(s) ?? /^\\\[(.*)\\\]$/.exec(s)
  if (math) s = math[1]!.trim()
  return s
}

/**
 * Finds the final answer of a completion. Runs once per candidate in `math-answer`; pure and
 * total: returns undefined when there is no answer. Order: the last `\boxed{}`/`\fbox{}`, the last
 * `#### n` (GSM8K), the last "the (final) answer is …", the last answer line `A: …`, then (only
 * with `lastNumber`) the last number in the text.
 */
export function findAnswer(text: string, options: ExtractOptions = {}): ExtractedAnswer | undefined {
  const boxed = lastBoxed(text)
  if (boxed !== undefined) return { text: boxed.trim(), source: 'boxed' }
  const hashes = lastMatch(text, /####\s*([^\n]+)/g)
  if (hashes) return { text: tidy(hashes[1]!), source: 'hashes' }
  const answerIs = lastMatch(text, /answer is:?[ \t]*/gi)
  if (answerIs) {
    const rest = text.slice(answerIs.index + answerIs[0].length).split('\n')[0]!
    const sentence = tidy(rest.split(/\.(?:\s|$)/)[0]!)
    if (sentence !== '') return { text: sentence, source: 'answer-is' }
  }
  const line = lastMatch(text, /^[ \t]*A:[ \t]*([^\n]+)/gm)
  if (line && tidy(line[1]!) !== '') return { text: tidy(line[1]!), source: 'answer-line' }
  if (options.lastNumber) {
    const number = lastMatch(text, /-?\d[\d,]*(?:\.\d+)?(?:\/\d+)?/g)
    if (number) return { text: number[0].replace(/,$/, ''), source: 'last-number' }
  }
  return undefined
}

/**
 * The final answer of a completion as written, or undefined when it has none (see `findAnswer`
 * for the search order). Pure; safe on any string.
 */
export function extractAnswer(text: string, options: ExtractOptions = {}): string | undefined {
  return findAnswer(text, options)?.text
}
