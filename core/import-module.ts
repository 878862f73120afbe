import { randomUUID } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import Module, { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { BenchError } from './errors.js'

/**
 * Imports a module by file path: TypeScript files through tsx's API (so a `.ts` config or plugin
 * loads on Node 20 without a build), everything else with a plain dynamic import. A `.ts` file
 * outside a `"type": "module"` package is compiled as CommonJS; its ES exports are unwrapped, and
 * its `require('bonbench')` gets the core this module belongs to (see shareCore). A `.js`
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
  let tsx: [typeof import('tsx/esm/api'), typeof import('tsx/cjs/api')]
  try {
    tsx = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')])
  } catch (error) {
    // The offline bundle (`npm run bundle`) has no tsx: say so instead of "Cannot find package".
    throw new BenchError(
      'BENCH_USAGE',
      `${fileURLToPath(url)} needs tsx to load (TypeScript or ES syntax in a CommonJS package), and tsx is not installed here: write it as .mjs, .js or .json, or install tsx`,
      { cause: error },
    )
  }
  const [{ register: registerEsm }, { register: registerCjs }] = tsx
  // What tsx's tsImport does (both hooks under one fresh namespace, so they touch no other
  // module), with the namespace known: shareCore needs it. (tsImport requires a `.cts` file
  // instead where Node's loader cannot load CommonJS through hooks, Node < 20.11.)
  const namespace = randomUUID()
  registerCjs({ namespace })
  await shareCore(fileURLToPath(url), namespace)
  const mod = (await registerEsm({ namespace }).import(url, import.meta.url)) as Record<string, unknown>
  const inner = mod.default as Record<string, unknown> | undefined
  if (inner && typeof inner === 'object' && inner.__esModule) return inner
  return mod
}

/**
 * A file compiled as CommonJS (`.ts`, or ES syntax in a `.js`, in a CommonJS package) that
 * imports 'bonbench' or 'bonbench/testing' gets `require('bonbench')`, and tsx would load the
 * ES module that resolves to (dist/core/index.js, or core/index.ts from the sources) a second
 * time, compiled to CommonJS, with all of the core behind it: most of a second of CPU, and a
 * second instance of the core (its own process-wide budget, backend, error classes). Where the
 * package resolves to this very core, its entry is put in Node's require cache under the key
 * tsx's hook asks for (the resolved path and `?namespace=…`), holding the module namespace the
 * CLI runs on: the require returns it, as Node's own require of an ES module does.
 */
async function shareCore(file: string, namespace: string): Promise<void> {
  const own = fileURLToPath(import.meta.url)
  const resolveFrom = createRequire(file)
  await Promise.all(
    ['bonbench', 'bonbench/testing'].map(async (specifier) => {
      let resolved: string
      try {
        resolved = resolveFrom.resolve(specifier)
      } catch {
        return // Not installed there: the file's require says so.
      }
      // This core's index.js (index.ts from the sources) or testing/index.js; another copy of
      // bonbench loads on its own.
      const entry = relative(dirname(own), resolved).replace(/\.[cm]?[jt]s$/, '')
      if (!['index', join('testing', 'index')].includes(entry)) return
      const key = `${resolved}?${new URLSearchParams({ namespace }).toString()}`
      const cached = new Module(resolved)
      cached.filename = resolved
      // By its URL, as Node's require of an ES module does: the module the CLI runs on, loaded already or now.
      cached.exports = await import(pathToFileURL(resolved).href)
      cached.loaded = true
      resolveFrom.cache[key] = cached
    }),
  )
}
