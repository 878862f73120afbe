import { createRequire } from 'node:module'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The name the bundle binds the shim's exports to: a `var` inside shimSource's wrapper function, never a global. */
export const SHIM_EXPORTS = 'bonbenchShim'

/** The shim's entry module beside this file: the TypeScript source, or tsc's output in dist/. */
function siblingEntry(): string {
  const source = fileURLToPath(new URL('./shim/create-shim.ts', import.meta.url))
  return existsSync(source) ? source : fileURLToPath(new URL('./shim/create-shim.js', import.meta.url))
}

/**
 * Bundles the shim (shim/create-shim.ts and the modules it imports) into one classic script whose
 * last statement is `var bonbenchShim = (() => { … })()`. Run by the build (scripts/copy-build-assets.mjs
 * writes dist/…/shim.bundle.js) and, when that file is absent (running from the sources under tsx
 * or vitest), once per process by shimSource. esbuild is loaded only here, on that path: it comes
 * with tsx, and an installed package never needs it.
 *
 * The bundle is built for a neutral platform with no externals, so a shim module that imports a
 * package or a Node built-in fails here instead of reaching the isolate; keepNames is off so that
 * no helper is injected into function bodies; the tsconfig is ignored so the output does not
 * depend on the folder it is built in.
 */
export function bundleShim(entry: string = siblingEntry()): string {
  const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild')
  const result = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    globalName: SHIM_EXPORTS,
    platform: 'neutral',
    target: 'es2022',
    keepNames: false,
    minify: false,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    tsconfigRaw: '{}',
    logLevel: 'silent',
  })
  const text = result.outputFiles[0]?.text
  if (!text) throw new Error(`bonbench:js-sandbox: bundling the sandbox shim from ${entry} produced no output`)
  return text
}
