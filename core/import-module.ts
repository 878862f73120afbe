import { pathToFileURL } from 'node:url'

/**
 * Imports a module by file path: TypeScript files through tsx's API (so a `.ts` config or plugin
 * loads on Node 20 without a build), everything else with a plain dynamic import. A `.ts` file
 * outside a `"type": "module"` package is compiled as CommonJS; its ES exports are unwrapped.
 */
export async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href
  if (/\.[mc]?ts$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api')
    const mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>
    const inner = mod.default as Record<string, unknown> | undefined
    if (inner && typeof inner === 'object' && inner.__esModule) return inner
    return mod
  }
  return import(url)
}
