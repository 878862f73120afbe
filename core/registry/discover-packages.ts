import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'

/**
 * Names of installed `bonbench-plugin-*` packages (scoped too) in the node_modules folders from
 * `baseDir` upwards, nearest first, without duplicates.
 */
export function discoverPackages(baseDir: string): string[] {
  const found: string[] = []
  let dir = resolve(baseDir)
  for (;;) {
    const modules = join(dir, 'node_modules')
    if (existsSync(modules)) {
      for (const entry of readdirSync(modules)) {
        if (entry.startsWith('bonbench-plugin-')) found.push(entry)
        else if (entry.startsWith('@')) {
          for (const scoped of safeReaddir(join(modules, entry))) if (scoped.startsWith('bonbench-plugin-')) found.push(`${entry}/${scoped}`)
        }
      }
    }
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return [...new Set(found)]
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}
