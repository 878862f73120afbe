import { lastBoxed } from './extract-answer.js'
import { readArgument, replaceCommand, splitTopLevel } from './latex-group.js'
import { formatRational, parseRational } from './rational.js'

/**
 * Unit words dropped after a number ("100 square units", "5 \text{ cm}"): any space-separated run of
 * words of two or more letters; single letters are kept (they may be variables). Words must be
 * separated by spaces so the pattern cannot backtrack exponentially on long letter runs.
 */
const unitWord = String.raw`[a-zA-Z]{2,}\.?(?:\s*\^\s*\{?\d\}?)?`
const unitWords = new RegExp(String.raw`^${unitWord}(?:\s+${unitWord})*\s*$`)

const textCommands = ['text', 'textbf', 'textit', 'textrm', 'textnormal', 'mathrm', 'mathbf', 'mathit', 'mbox', 'hbox']

/** Removes `$…$`, `\(…\)`, `\[…\]` and a whole-string `\boxed{…}` around an answer. */
function unwrapDelimiters(s: string): string {
  for (let guard = 0; guard < 4; guard++) {
    const before = s
    s = s.trim()
    const math = /^\$+([\s\S]*?)\$+$/.exec(s) ?? /^\\\(([\s\S]*)\\\)$/.exec(s) ?? /^\\\[([\s\S]*)\\\]$/.exec(s)
    if (math) s = math[1]!
    if (/^\\(?:boxed|fbox)\b/.test(s)) s = lastBoxed(s) ?? s
    if (s === before) break
  }
  return s.trim()
}

/** Re-braces the arguments of `\frac` and `\sqrt` so `\frac12`, `\frac1{2}` and `\frac{1}{2}` agree. */
function braceArguments(s: string): string {
  let out = ''
  for (let i = 0; i < s.length;) {
    const frac = /^\\frac(?![a-zA-Z])/.exec(s.slice(i))
    const sqrt = /^\\sqrt(?![a-zA-Z])/.exec(s.slice(i))
    if (frac) {
      const a = readArgument(s, i + 5)
      const b = a && readArgument(s, a.end)
      if (a && b) {
        out += `\\frac{${braceArguments(a.content)}}{${braceArguments(b.content)}}`
        i = b.end
        continue
      }
    } else if (sqrt && s[i + 5] !== '[') {
      const a = readArgument(s, i + 5)
      if (a) {
        out += `\\sqrt{${braceArguments(a.content)}}`
        i = a.end
        continue
      }
    }
    out += s[i]
    i++
  }
  return out
}

/** Drops a short left-hand side (`x =`, `k=`, `x \in`) the way the MATH normaliser does. */
function stripLeftHandSide(s: string): string {
  const m = /^\s*(?:[a-zA-Z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)\s*(?:=|\\in(?![a-zA-Z]))\s*([\s\S]+)$/.exec(s)
  if (m && !m[1]!.includes('=')) return m[1]!
  return s
}

/** Drops trailing unit words after a leading number ("100 square units" → "100"). */
function stripUnits(s: string): string {
  const m = /^([-+]?[\d.,]*\d(?:\s*\/\s*\d+)?|[-+]?\\frac\{[^{}]*\}\{[^{}]*\})\s+(.+)$/.exec(s)
  if (m && unitWords.test(m[2]!)) return m[1]!
  return s
}

/** The string steps of normalisation, applied to one element of an answer. */
function normalizeScalar(raw: string): string {
  let s = raw.trim()
  s = stripLeftHandSide(s)
  s = stripUnits(s.trim())
  s = s.replace(/\{,\}/g, ',')
  if (/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/,/g, '')
  if (/^[-+]?\d{1,3}(?: \d{3})+(?:\.\d+)?$/.test(s)) s = s.replace(/ /g, '')
  s = s.replace(/\s+/g, '')
  s = s.replace(/[.]+$/, '')
  s = braceArguments(s)
  s = s.replace(/([_^])\{([a-zA-Z0-9])\}/g, '$1$2')
  s = s.replace(/(^|[^\d])\.(\d)/g, '$10.$2')
  s = s.replace(/^\+/, '')
  const choice = /^\(([A-Ea-e])\)$/.exec(s)
  if (choice) return choice[1]!.toUpperCase()
  if (/^[a-zA-Z][a-zA-Z'.-]+$/.test(s)) return s.toLowerCase()
  const value = parseRational(s)
  return value ? formatRational(value) : s
}

/** LaTeX-level clean-up shared by every element: spacing, sizes, text wrappers, units, symbols. */
function cleanLatex(raw: string): string {
  let s = unwrapDelimiters(raw)
  s = s.replace(/\n/g, ' ')
  s = s.replace(/\\(?:left|right)\./g, '')
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])/g, '')
  s = s.replace(/\\!/g, '')
  s = s.replace(/\\[,;: ]|~|\\quad|\\qquad/g, ' ')
  s = s.replace(/\\[dt]frac/g, '\\frac').replace(/\\[dt]binom/g, '\\binom')
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|°|\\circ(?![a-zA-Z])|\\degree/g, '')
  s = s.replace(/\\%|%/g, '').replace(/\\\$|\$/g, '')
  s = s
    .replace(/\\leq(?![a-zA-Z])/g, '\\le')
    .replace(/\\geq(?![a-zA-Z])/g, '\\ge')
    .replace(/\\neq(?![a-zA-Z])/g, '\\ne')
  s = s.replace(/\\([{}])/g, '$1')
  s = s.replace(/π/g, '\\pi').replace(/∞/g, '\\infty').replace(/√/g, '\\sqrt')
  for (const command of textCommands) s = replaceCommand(s, command, (arg) => ` ${arg} `)
  return s
    .trim()
    .replace(/[.;]+$/, '')
    .trim()
}

/** The parts of a bracketed tuple or interval, or of a bare comma list; undefined for a scalar. */
export function splitAnswerList(s: string): { open: string; close: string; items: string[] } | undefined {
  const bracketed = /^([([])([\s\S]*)([)\]])$/.exec(s)
  if (bracketed) {
    const items = splitTopLevel(bracketed[2]!, ',')
    if (items.length > 1 && splitTopLevel(s, ',').length === 1) return { open: bracketed[1]!, close: bracketed[3]!, items }
  }
  const items = splitTopLevel(s, ',')
  return items.length > 1 ? { open: '', close: '', items } : undefined
}

/**
 * Normalises an answer string to a canonical form: equal answers written differently
 * (`\dfrac{1}{2}`, `0.5`, `1/2`; `1,000` and `1000`; `90^\circ` and `90`; `25\%` and `25`;
 * `\text{Evelyn}` and `evelyn`; `x = 5` and `5`; `\left( 1, 2 \right)` and `(1,2)`) give the same
 * text. Runs on every extracted answer and reference in `math-answer`; pure, never throws. Plain
 * numbers become exact canonical rationals (integer, terminating decimal, or `p/q`).
 */
export function normalizeAnswer(raw: string): string {
  const s = cleanLatex(raw)
  const single = normalizeScalar(s)
  if (/^[-+]?\d+(?:\.\d+)?$/.test(single) || /^-?\d+\/\d+$/.test(single)) return single
  const list = splitAnswerList(s)
  if (!list) return single
  return list.open + list.items.map((item) => normalizeScalar(item)).join(',') + list.close
}
