// Writes a self-contained folder for a GPU machine that reaches no registry (how #18's H200
// checks ran): esbuild bundles of the CLI, its two worker entries and benchmarks/gpu-smoke.ts,
// with @tensorflow/tfjs-backend-webgpu and -wasm inside them (one tfjs-core), Dawn's native
// `webgpu` package and the .wasm binaries beside them. A development tool that carries the smoke
// script; the product bundle is `npm run bundle -- <dir>` (scripts/bundle.ts, README "GPU
// machines"). Here isolated-vm is stubbed out (no js-sandbox verifier) and so are the packages
// that only need to resolve.
//
//   node benchmarks/gpu-bundle.mjs <out-dir> <node_modules holding webgpu and @tensorflow/tfjs-backend-webgpu@4.22.0>
//   then there: node <out-dir>/cli/bench.mjs env   ·   node <out-dir>/smoke.mjs
import * as esbuild from 'esbuild'
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const [out, deps] = process.argv.slice(2).map((p) => p && path.resolve(p))
if (!out || !deps || !existsSync(path.join(deps, 'webgpu')) || !existsSync(path.join(deps, '@tensorflow/tfjs-backend-webgpu'))) {
  console.error('usage: node benchmarks/gpu-bundle.mjs <out-dir> <node_modules with webgpu and @tensorflow/tfjs-backend-webgpu>')
  process.exit(2)
}
const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(path.join(root, 'package.json'))
const tfjsCore = path.dirname(require.resolve('@tensorflow/tfjs-core/package.json'))

// select-backend imports the optional backends by a computed name; name the two tfjs ones
// literally so esbuild bundles them. `webgpu` (Dawn, a native addon) stays a runtime import.
const literalBackends = {
  name: 'literal-backends',
  setup(build) {
    build.onLoad({ filter: /select-backend\.ts$/ }, (args) => {
      const from = 'const importOptional = (name: string): Promise<unknown> => import(name)'
      const src = readFileSync(args.path, 'utf8')
      if (!src.includes(from)) throw new Error(`${args.path}: importOptional changed; update gpu-bundle.mjs`)
      const to =
        "const importOptional = (name: string): Promise<unknown> => name === '@tensorflow/tfjs-backend-webgpu' ? import('@tensorflow/tfjs-backend-webgpu') : name === '@tensorflow/tfjs-backend-wasm' ? import('@tensorflow/tfjs-backend-wasm') : import(name)"
      return { contents: src.replace(from, to), loader: 'ts' }
    })
    // The webgpu backend lives outside the repository: give it the repository's tfjs-core.
    build.onResolve({ filter: /^@tensorflow\/tfjs-backend-webgpu$/ }, () => ({
      path: createRequire(path.join(deps, 'x.js')).resolve('@tensorflow/tfjs-backend-webgpu'),
    }))
    build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, () => ({ path: require.resolve('@tensorflow/tfjs-core') }))
  },
}
const cli = path.join(out, 'cli')
mkdirSync(cli, { recursive: true })
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  external: ['webgpu', 'isolated-vm', 'react-devtools-core', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);",
  },
  // Built-ins import 'bonbench' (package.json exports): resolve it to the sources, as tsx does.
  conditions: ['bonbench-source'],
  plugins: [literalBackends],
  logLevel: 'warning',
  minify: true,
  legalComments: 'none',
}
// The CLI finds package.json by walking up and starts its workers from files beside itself: keep that layout.
await esbuild.build({
  ...common,
  outdir: cli,
  entryPoints: {
    bench: path.join(root, 'cli/main.ts'),
    'worker-entry': path.join(root, 'plugins/models/tiny-transformer/sampler-worker.ts'),
    'probe-worker-entry': path.join(root, 'core/backend/probe-worker.ts'),
  },
})
await esbuild.build({ ...common, outdir: out, entryPoints: { smoke: path.join(root, 'benchmarks/gpu-smoke.ts') } })
cpSync(path.join(root, 'package.json'), path.join(out, 'package.json'))
cpSync(path.join(root, 'test/fixtures/tiny-transformer-trace.json'), path.join(out, 'tiny-transformer-trace.json'))
const modules = path.join(out, 'node_modules')
const stub = (name, esm) => {
  mkdirSync(path.join(modules, name), { recursive: true })
  writeFileSync(
    path.join(modules, name, 'package.json'),
    JSON.stringify({
      name,
      version: '0.0.0',
      main: 'index.js',
      ...(esm ? { type: 'module' } : {}),
      description: 'stub: resolves only (code bundled, or unused)',
    }) + '\n',
  )
  writeFileSync(path.join(modules, name, 'index.js'), esm ? 'export default {}\n' : 'module.exports = {}\n')
}
for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm']) stub(name, false)
for (const name of ['isolated-vm', 'react-devtools-core']) stub(name, true)
const wasmDist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')
for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
  cpSync(path.join(wasmDist, f), path.join(modules, '@tensorflow/tfjs-backend-wasm/dist', f))
const dawn = path.join(deps, 'webgpu')
for (const f of ['index.js', 'package.json', 'LICENSE.md', `dist/${process.platform}-${process.arch}/dawn.node`])
  cpSync(path.join(dawn, f), path.join(modules, 'webgpu', f))
console.log(`wrote ${out} (tfjs-core from ${tfjsCore}); run: node ${path.join(out, 'cli/bench.mjs')} env`)
