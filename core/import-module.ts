import { fileURLToPath, pathToFileURL } from 'node:url'
import { BenchError } from './errors.js'

/**
 * Imports a module by file path: TypeScript files through tsx's API (so a `.ts` config or plugin
 * loads on Node 20 without a build), everything else with a plain dynamic import. A `.ts` file
 * outside a `"type": "module"` package is compiled as CommonJS; its ES exports are unwrapped. A `.js`
 * file with ES syntax in a CommonJS package is retried through tsx.
 */
export async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href
  if (/\.[mc]?ts$/.test(file)) return importThroughTsx(url)
  try {
    return await import(url)
  } catch (error) {
    // A `.js` file written with ES syntax in a CommonJS package (no `"type": "module"`): plain Node
    // refuses it, tsx compiles it, so it loads the same whether bench runs from dist/ or the sources.
    if (/\.js$/.test(file) && error instanceof SyntaxError && /import statement|export/.test(error.message)) return importThroughTsx(url)
    throw error
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
