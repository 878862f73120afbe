import type { PluginKind } from '../../core/plugin-api/common.js'
import type { TemplateContext } from './template-types.js'
import { pluginTemplates } from './templates/index.js'

/**
 * Words a module-level `export const <word>` may not be in the scaffold's strict ES module: the
 * reserved words of ECMAScript (strict mode and modules included), the names strict mode forbids
 * as bindings, and the globals TypeScript refuses to see redeclared. A name the template's own code
 * uses is avoided as well (see {@link exportIdentifier}).
 */
const RESERVED = new Set([
  // ECMAScript reserved words
  ...['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false'],
  ...['finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true'],
  ...['try', 'typeof', 'var', 'void', 'while', 'with'],
  // reserved in strict mode and in modules
  ...['implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield', 'await'],
  // not bindable in strict mode, or a global TypeScript will not let a module redeclare (TS2397, TS2441)
  ...['arguments', 'eval', 'undefined', 'globalThis', 'require', 'exports'],
])

/** An identifier no `<name>` camelCases to (names are lowercase letters, digits and hyphens). */
const PLACEHOLDER = '__bonbench_identifier__'

/**
 * The name the scaffold exports the plugin's factory as (`export const <identifier>` in
 * src/index.ts, imported by src/index.test.ts): `<name>` in camelCase (`exact-answer` →
 * `exactAnswer`), unless that is a reserved word (`class`) or a name the kind's template itself
 * uses in its code — an import, a local, a parameter, a property or a global (`z`, `test`,
 * `assert`, `problem`, `join`) — where the export would not compile or would be shadowed. Then
 * the kind is appended (`classVerifier`, `zVerifier`, `joinReporter`), as often as needed.
 */
export function exportIdentifier(name: string, kind: PluginKind): string {
  const taken = templateWords(kind)
  let identifier = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
  while (RESERVED.has(identifier) || taken.has(identifier)) identifier += kind.charAt(0).toUpperCase() + kind.slice(1)
  return identifier
}

const wordsByKind = new Map<PluginKind, Set<string>>()

/**
 * Every identifier in the code of the kind's src/index.ts and src/index.test.ts — comments and the
 * text of string literals left out, the code inside template literals kept — rendered with a
 * placeholder for the export's name. Derived from the templates, so a template that starts
 * using a name makes the scaffold avoid it.
 */
function templateWords(kind: PluginKind): ReadonlySet<string> {
  let words = wordsByKind.get(kind)
  if (!words) {
    const ctx: TemplateContext = {
      name: 'placeholder',
      packageName: 'bonbench-plugin-placeholder',
      pluginName: 'bonbench-plugin-placeholder/placeholder',
      identifier: PLACEHOLDER,
      bonbenchRange: '^0.0.0',
      bonbenchRoot: '/',
    }
    const template = pluginTemplates[kind]
    words = new Set([...codeWords(template.source(ctx)), ...codeWords(template.test(ctx))])
    words.delete(PLACEHOLDER)
    wordsByKind.set(kind, words)
  }
  return words
}

/** The identifiers of a TypeScript text outside comments and string text (a regex literal's letters count too: harmless). */
function codeWords(text: string): Set<string> {
  const words = new Set<string>()
  // One entry per template literal being read: the brace depth its current `${` opened at.
  const templates: number[] = []
  let depth = 0
  let i = 0
  const readTemplateText = () => {
    // From inside a template literal's text to its end (back to code) or to the next `${`.
    for (; i < text.length; i++) {
      if (text[i] === '\\') i++
      else if (text[i] === '`') {
        templates.pop()
        i++
        return
      } else if (text[i] === '$' && text[i + 1] === '{') {
        templates[templates.length - 1] = ++depth
        i += 2
        return
      }
    }
  }
  while (i < text.length) {
    const c = text[i]!
    if (c === '/' && text[i + 1] === '/') i = text.includes('\n', i) ? text.indexOf('\n', i) : text.length
    else if (c === '/' && text[i + 1] === '*') i = text.includes('*/', i + 2) ? text.indexOf('*/', i + 2) + 2 : text.length
    else if (c === "'" || c === '"') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++
      i++
    } else if (c === '`') {
      templates.push(-1)
      i++
      readTemplateText()
    } else if (c === '{') {
      depth++
      i++
    } else if (c === '}') {
      i++
      if (templates.length > 0 && templates[templates.length - 1] === depth--) readTemplateText()
    } else {
      const word = /^[A-Za-z_$][\w$]*/.exec(text.slice(i, i + 100))?.[0]
      if (word) words.add(word)
      i += word?.length ?? 1
    }
  }
  return words
}
