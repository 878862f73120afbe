// After `tsc -p tsconfig.build.json`: copies into dist/ the files tsc does not emit (worker entry
// points, the HTML report's browser script and the committed JSON Schema), so the compiled package runs in plain Node.
import { cpSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const assets = /\.(mjs|js|json)$/

function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (assets.test(name)) cpSync(path, join(root, 'dist', relative(root, path)))
  }
}
for (const top of ['core', 'cli', 'plugins', 'reports']) walk(join(root, top))
// Last: bin/bench.js runs dist/ only while this stamp is newer than every source file.
writeFileSync(join(root, 'dist', 'build-stamp'), `${new Date().toISOString()}\n`)
