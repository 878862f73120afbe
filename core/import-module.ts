import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BenchError } from './errors.js'

/**
 * Imports a module by file path: TypeScript files through tsx's API (so a `.ts` config or plugin
 * loads on Node 20 without a build), everything else with a plain dynamic import. A `.ts` file
 * outside a `"type": "module"` package is compiled as CommonJS; its ES exports are unwrapped. A `.js`
 * file with ES syntax in a CommonJS package goes through tsx too: straight there when its source
 * shows `import`/`export` statements (a plain import would print Node's "To load an ES module"
 * warning on stderr before failing), else after a plain import fails on that syntax.
 */
export async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href
  if (/\.[mc]?ts$/.test(file)) return importThroughTsx(url)
  const commonJsWithEsSyntax = /\.js$/.test(file) && nearestPackageType(file) !== 'module' && ES_STATEMENT.test(readSource(file))
  if (commonJsWithEsSyntax) return importThroughTsx(url)
  try {
    return await import(url)
  } catch (error) {
    // A `.js` file written with ES syntax in a CommonJS package (no `"type": "module"`): plain Node
    // refuses it, tsx compiles it, so it loads the same whether bench runs from dist/ or the sources.
    if (/\.js$/.test(file) && error instanceof SyntaxError && /import statement|export/.test(error.message)) return importThroughTsx(url)
    throw error
  }
}

/** An `import … from`/`import '…'` or `export` statement at the start of a line (not `import(…)`, which CommonJS has too). */
const ES_STATEMENT = /^[ \t]*(import[ \t]+[\w{*]|import[ \t]*['"{*]|export[ \t{*])/m

function readSource(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return '' // The import below says why it cannot be read.
  }
}

/** The `type` of the package.json nearest to `file`, as Node reads it (undefined: none found, no type, or unreadable: CommonJS). */
export function nearestPackageType(file: string): string | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type
      } catch {
        return undefined
      }
    }
    if (dirname(dir) === dir) return undefined
  }
}

async function importThroughTsx(url: string): Promise<unknown> {
  let tsx: typeof import('tsx/esm/api')
  try {
    tsx = await import('tsx/esm/api')
  } catch (error) {
    // The offline bundle (`npm run bundle`) has no tsx: say so instead of "Cannot find package".
    throw new BenchError(
      'BENCH_USAGE',
      `${fileURLToPath(url)} needs tsx to load (TypeScript or ES syntax in a CommonJS package), and tsx is not installed here: write it as .mjs, .js or .json, or install tsx`,
      { cause: error },
    )
  }
  const { tsImport } = tsx
  const mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>
  const inner = mod.default as Record<string, unknown> | undefined
  if (inner && typeof inner === 'object' && inner.__esModule) return inner
  return mod
}
