/** A brace group read from LaTeX text: its inner text and the index just past its closing brace. */
export interface LatexGroup {
  content: string
  end: number
}

/**
 * Reads the `{…}` group that opens at `text[start]` (which must be `{`), matching nested braces
 * and skipping escaped `\{` `\}`. Runs during answer extraction and normalisation; returns
 * undefined when the group never closes (a truncated completion), never throws.
 */
export function readBraceGroup(text: string, start: number): LatexGroup | undefined {
  if (text[start] !== '{') return undefined
  let depth = 0
  for (let i = start; i < text.length; i++) {
    const ch = text[i]
    if (ch === '\\') {
      i++
      continue
    }
    if (ch === '{') depth++
    else if (ch === '}') {
      depth--
      if (depth === 0) return { content: text.slice(start + 1, i), end: i + 1 }
    }
  }
  return undefined
}

/**
 * Reads one LaTeX argument at `start` after optional spaces: a brace group, a control word
 * (`\pi`), or a single character (`\frac12` → `1`, then `2`). Returns undefined at the end of text.
 */
export function readArgument(text: string, start: number): LatexGroup | undefined {
  let i = start
  while (text[i] === ' ') i++
  if (i >= text.length) return undefined
  if (text[i] === '{') return readBraceGroup(text, i)
  if (text[i] === '\\') {
    const word = /^\\[a-zA-Z]+/.exec(text.slice(i))
    if (word) return { content: word[0], end: i + word[0].length }
    return { content: text.slice(i, i + 2), end: i + 2 }
  }
  return { content: text[i]!, end: i + 1 }
}

/**
 * Replaces every `\command{arg}` (nested braces allowed) by `render(arg)`; used to unwrap
 * `\text{…}` and to brace-normalise `\frac`/`\sqrt`. Commands whose group never closes are kept.
 */
export function replaceCommand(text: string, command: string, render: (arg: string) => string): string {
  const pattern = new RegExp(`\\\\${command}(?![a-zA-Z])`, 'g')
  let out = ''
  let last = 0
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    let i = m.index + m[0].length
    while (text[i] === ' ') i++
    const group = readBraceGroup(text, i)
    if (!group) continue
    out += text.slice(last, m.index) + render(group.content)
    last = group.end
    pattern.lastIndex = group.end
  }
  return out + text.slice(last)
}

/**
 * Splits text at top-level occurrences of `separator` (outside (), [], {}); used for tuples,
 * intervals and answer lists. Unbalanced closers are tolerated.
 */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = []
  let depth = 0
  let from = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '\\') {
      i++
      continue
    }
    if ('([{'.includes(ch)) depth++
    else if (')]}'.includes(ch)) depth = Math.max(0, depth - 1)
    else if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(text.slice(from, i))
      from = i + separator.length
    }
  }
  parts.push(text.slice(from))
  return parts
}
