import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The folder of bonbench's own package.json: found by walking up from this module, so it is the
 * same whether bonbench runs from its TypeScript sources or from the compiled `dist/`.
 */
export const packageRoot: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)))

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'bonbench') return dir
    if (dirname(dir) === dir) throw new Error(`bonbench: no package.json of bonbench above ${start}`)
  }
}
