import type { BrokenPackage } from '../core/registry/registry.js'

/** A broken installed package as a `bench list --json` row: `kind: 'broken'`, with its error. */
export function brokenRow(b: BrokenPackage) {
  return { kind: 'broken' as const, name: b.name, source: b.source, version: /@([^@]+)$/.exec(b.source)?.[1] ?? '', code: b.error.code, error: b.error.message }
}

/** The lines `bench list` prints below its table for installed packages that failed to load. */
export function renderBroken(broken: BrokenPackage[]): string {
  const lines = ['', `broken (installed, failed to load; their plugins are not available):`]
  for (const b of broken) lines.push(`  ${b.name}  ${b.source}`, `    ${b.error.message.split('\n').join('\n    ')}`)
  return lines.join('\n') + '\n'
}
