// After `tsc -p tsconfig.build.json`: copies into dist/ the files tsc does not emit (worker entry
// points, the Python sandbox's fork server, the HTML report's browser script and the committed JSON Schema), and writes the
// js-sandbox's in-isolate shim as one script, so the compiled package runs in plain Node.
import { cpSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const assets = /\.(mjs|js|json|py)$/

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (assets.test(name) && name !== 'tsconfig.json') cpSync(path, join(root, 'dist', relative(root, path)))
  }
}
for (const top of ['core', 'cli', 'plugins', 'reports']) walk(join(root, top))

// The shim is bundled from its TypeScript sources by the same function that bundles it when
// running from the sources (tsc has just compiled that function into dist/); shim-source.ts
// reads the file it writes beside itself, so an installed package never needs esbuild.
const sandbox = join(root, 'dist', 'plugins', 'verifiers', 'js-sandbox')
const { bundleShim } = await import(pathToFileURL(join(sandbox, 'shim-bundle.js')).href)
writeFileSync(join(sandbox, 'shim.bundle.js'), bundleShim(join(root, 'plugins', 'verifiers', 'js-sandbox', 'shim', 'create-shim.ts')))
// Last: bin/bench.js runs dist/ only while this stamp is newer than every source file.
writeFileSync(join(root, 'dist', 'build-stamp.json'), `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`)
