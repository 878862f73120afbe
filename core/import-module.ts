import { pathToFileURL } from 'node:url'

/**
 * Imports a module by file path: TypeScript files through tsx's API (so a `.ts` config or plugin
 * loads on Node 20 without a build), everything else with a plain dynamic import.
 */
export async function importModule(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href
  if (/\.[mc]?ts$/.test(file)) {
    const { tsImport } = await import('tsx/esm/api')
    return tsImport(url, import.meta.url)
  }
  return import(url)
}
