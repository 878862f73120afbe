// After `tsc -p tsconfig.build.json`: bundles zod into one module, dist/vendor/zod.js, and points
// every compiled module's `from 'zod'` at it, so the package runs one copy of zod in one file.
//
// Why (issue 14: `import('bonbench')` under 150 ms): zod's ESM entry is 95 modules, 64 of them
// locales that every entry point re-exports, and Node 20 pays about 0.9 ms per module. Measured
// on the 2-core machine: `import('zod')` 85 ms; the same zod as one minified module 50 ms.
// The sources keep importing 'zod' (tsx, Vitest, TypeScript and the CLI bundle resolve it as
// usual), the declarations too (the vendored copy is the installed version, so its types are
// zod's own), and zod stays a dependency. A plugin gets this copy as `z` from 'bonbench'.
import * as esbuild from 'esbuild'
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const dist = join(root, 'dist')
const vendored = join(dist, 'vendor', 'zod.js')
const zodDir = dirname(createRequire(import.meta.url).resolve('zod/package.json'))

mkdirSync(dirname(vendored), { recursive: true })
await esbuild.build({
  stdin: { contents: "export * from 'zod'", resolveDir: root, loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Smaller text parses faster; names are kept so stack traces and error classes still read as zod's.
  minify: true,
  keepNames: true,
  outfile: vendored,
  logLevel: 'warning',
})
const { version } = JSON.parse(readFileSync(join(zodDir, 'package.json'), 'utf8'))
writeFileSync(vendored, `// zod ${version} (MIT, see zod.LICENSE), bundled by scripts/vendor-zod.mjs\n${readFileSync(vendored, 'utf8')}`)
copyFileSync(join(zodDir, 'LICENSE'), join(dist, 'vendor', 'zod.LICENSE'))

/** Every compiled module under `dir` that imports zod, rewritten to import the vendored file. */
function rewrite(dir) {
  let count = 0
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) count += rewrite(path)
    else if (name.endsWith('.js') && path !== vendored) {
      const text = readFileSync(path, 'utf8')
      if (!text.includes("from 'zod'")) continue
      const target = relative(dirname(path), vendored).split(sep).join('/')
      writeFileSync(path, text.replaceAll("from 'zod'", `from '${target.startsWith('.') ? target : `./${target}`}'`))
      count++
    }
  }
  return count
}
const rewritten = rewrite(dist)
if (rewritten === 0) throw new Error('vendor-zod: no compiled module imports zod; is dist/ built?')
