// `npm run bundle -- <dir> [--webgpu-from <node_modules>]`: writes a self-contained folder for a
// machine that reaches no registry (a cluster's GPU node), run there as `node <dir>/bench.mjs …`
// with nothing but Node 20+. What it holds:
//   bench.mjs          the launcher: bin/bench.js, re-running Node with --no-node-snapshot
//                      (isolated-vm needs it) on cli/main.mjs, signals forwarded
//   cli/               esbuild bundles of the CLI and its two worker entries (sampler and
//                      backend probe), each whole, every JS dependency
//                      inside (TensorFlow.js with the wasm backend, and the webgpu backend when
//                      given), plus the files the code reads beside itself (the Python fork
//                      server, the js-sandbox shim, the HTML report's client, the results schema)
//   node_modules/      the native addons and binaries only: isolated-vm (its .node stripped of
//                      debug info), the three tfjs .wasm binaries, Chart.js's browser build (the
//                      HTML report inlines it), Dawn (`webgpu`) when given, and stubs that let the
//                      backend catalog see the bundled packages as installed
//   package.json       name and version (the CLI finds its package root by it)
// Dawn and @tensorflow/tfjs-backend-webgpu are optional (not dependencies): they are bundled when
// they resolve from this checkout, or from the node_modules folder given with --webgpu-from.
// Not inside: tsx (a `.ts` config or plugin needs it; use .js, .mjs or .json there), and the
// CUDA/native tfjs bindings (tensorflow, tensorflow-gpu), which download libtensorflow.
// Fails when the folder is over 60 MB.
import * as esbuild from 'esbuild'
import { execFileSync } from 'node:child_process'
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { bundleShim } from '../plugins/verifiers/js-sandbox/shim-bundle.js'

/** The most the folder may weigh (issue #18: an offline node gets it by hand). */
export const BUNDLE_LIMIT_BYTES = 60 * 1024 * 1024

const root = fileURLToPath(new URL('..', import.meta.url))
const repoRequire = createRequire(path.join(root, 'package.json'))

function usage(message: string): never {
  console.error(`${message}\nusage: npm run bundle -- <dir> [--webgpu-from <node_modules holding webgpu and @tensorflow/tfjs-backend-webgpu>]`)
  process.exit(2)
}

function parseArgs(argv: string[]): { out: string; webgpuFrom?: string } {
  let out: string | undefined
  let webgpuFrom: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--webgpu-from') {
      webgpuFrom = argv[++i] ?? usage('--webgpu-from needs a folder')
    } else if (arg.startsWith('-')) usage(`unknown option ${arg}`)
    else if (out) usage(`one output folder, got ${out} and ${arg}`)
    else out = arg
  }
  if (!out) usage('no output folder given')
  return { out: path.resolve(out), ...(webgpuFrom ? { webgpuFrom: path.resolve(webgpuFrom) } : {}) }
}

/** Where Dawn and tfjs's webgpu backend resolve from: --webgpu-from, else this checkout; undefined when not both. */
function findWebgpu(from?: string): { dawn: string; backend: string } | undefined {
  const req = from ? createRequire(path.join(from, 'x.js')) : repoRequire
  try {
    const backend = req.resolve('@tensorflow/tfjs-backend-webgpu')
    const dawn = path.dirname(req.resolve('webgpu/package.json'))
    return { dawn, backend }
  } catch {
    if (from) usage(`${from} does not hold both webgpu and @tensorflow/tfjs-backend-webgpu`)
    return undefined
  }
}

function folderBytes(dir: string): number {
  let total = 0
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name)
    const stat = statSync(full)
    total += stat.isDirectory() ? folderBytes(full) : stat.size
  }
  return total
}

/** A package that only has to resolve (its code is bundled): package.json and an empty main. */
function stub(modules: string, name: string, esm: boolean): void {
  const dir = path.join(modules, name)
  mkdirSync(dir, { recursive: true })
  const pkg = {
    name,
    version: '0.0.0',
    main: 'index.js',
    ...(esm ? { type: 'module' } : {}),
    description: 'bonbench bundle: resolves only (code bundled into cli/, or unused)',
  }
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg) + '\n')
  writeFileSync(path.join(dir, 'index.js'), esm ? 'export default {}\n' : 'module.exports = {}\n')
}

/** Copies `files` (relative to the package folder of `name`) into the bundle's node_modules. */
function copyPackageFiles(modules: string, name: string, from: string, files: string[]): void {
  for (const file of files) cpSync(path.join(from, file), path.join(modules, name, file), { recursive: true })
}

const { out, webgpuFrom } = parseArgs(process.argv.slice(2))
const webgpu = findWebgpu(webgpuFrom)
if (existsSync(out) && readdirSync(out).length > 0) usage(`${out} exists and is not empty; give a new folder`)
rmSync(out, { recursive: true, force: true })
const cli = path.join(out, 'cli')
mkdirSync(cli, { recursive: true })

// select-backend imports the optional backends by a computed name; name the tfjs ones that are
// bundled literally so esbuild includes them. Dawn (`webgpu`, a native addon) stays a runtime import.
const importLine = 'const importOptional = (name: string): Promise<unknown> => import(name)'
// From the sources and dist/, TensorFlow.js is loaded with `createRequire(import.meta.url)('@tensorflow/…')`
// (no export-name scan of its CommonJS bundle, see core/backend/select-backend.ts); here a plain
// require, which esbuild bundles.
const tfjsRequire = /createRequire\(import\.meta\.url\)\(('@tensorflow\/[^']+')\)/g
const bundledTfjs = (src: string) => src.replace(tfjsRequire, 'require($1)')
const literalBackends: esbuild.Plugin = {
  name: 'literal-backends',
  setup(build) {
    build.onLoad({ filter: /core[\\/]backend[\\/]select-backend\.ts$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8')
      if (!src.includes(importLine)) throw new Error(`${args.path}: importOptional changed; update scripts/bundle.ts`)
      const literal = ['@tensorflow/tfjs-backend-wasm', ...(webgpu ? ['@tensorflow/tfjs-backend-webgpu'] : [])]
      const cases = literal.map((name) => `name === '${name}' ? import('${name}') : `).join('')
      return {
        contents: bundledTfjs(src.replace(importLine, `const importOptional = (name: string): Promise<unknown> => ${cases}import(name)`)),
        loader: 'ts',
      }
    })
    build.onLoad({ filter: /(core[\\/]backend[\\/]probe-worker|tiny-transformer[\\/]tf|reward-model[\\/]tf-backend)\.ts$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8')
      if (!tfjsRequire.test(src)) throw new Error(`${args.path}: no createRequire(import.meta.url)('@tensorflow/…'); update scripts/bundle.ts`)
      tfjsRequire.lastIndex = 0
      return { contents: bundledTfjs(src), loader: 'ts' }
    })
    if (webgpu) {
      // The webgpu backend may live outside the checkout: give it this checkout's tfjs-core (one engine).
      build.onResolve({ filter: /^@tensorflow\/tfjs-backend-webgpu$/ }, () => ({ path: webgpu.backend }))
      build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, () => ({ path: repoRequire.resolve('@tensorflow/tfjs-core') }))
    }
  },
}

const banner =
  "import { createRequire as __bonbenchCreateRequire } from 'node:module'; import { fileURLToPath as __bonbenchFileURLToPath } from 'node:url'; import { dirname as __bonbenchDirname } from 'node:path'; const require = __bonbenchCreateRequire(import.meta.url); const __filename = __bonbenchFileURLToPath(import.meta.url); const __dirname = __bonbenchDirname(__filename);"
// Code starts its worker threads from files beside itself (new URL('./worker-entry.mjs', import.meta.url)):
// the entries and every chunk sit in one folder, under those names.
await esbuild.build({
  entryPoints: {
    main: path.join(root, 'cli/main.ts'),
    'worker-entry': path.join(root, 'plugins/models/tiny-transformer/sampler-worker.ts'),
    'probe-worker-entry': path.join(root, 'core/backend/probe-worker.ts'),
  },
  outdir: cli,
  bundle: true,
  // No code splitting: a split-out chunk of a CommonJS package (@tensorflow/tfjs) exports only a
  // default, and `await import('@tensorflow/tfjs')` then has no setBackend. Each entry is whole.
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  // Native addons and packages that are optional or load their own files at run time.
  external: ['webgpu', 'isolated-vm', 'tsx', 'tsx/*', 'esbuild', 'react-devtools-core', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  banner: { js: banner },
  // Built-ins import 'bonbench' (package.json exports): resolve it to the sources, as tsx does.
  conditions: ['bonbench-source'],
  plugins: [literalBackends],
  logLevel: 'error',
  minify: true,
  legalComments: 'none',
})

// The launcher: bin/bench.js, its child run on cli/main.mjs (no tsx, no dist/) instead of what
// bin/cli-entry.js chooses in a checkout or an installed package.
const launcherEntry = /import \{ cliNodeArgs \} from '\.\/cli-entry\.js'\n\nconst nodeArgs = cliNodeArgs\(\)\n/
const launcherSource = readFileSync(path.join(root, 'bin/bench.js'), 'utf8')
if (!launcherEntry.test(launcherSource)) throw new Error('bin/bench.js: the nodeArgs choice changed; update scripts/bundle.ts')
await esbuild.build({
  stdin: {
    contents: launcherSource.replace(
      launcherEntry,
      "import { fileURLToPath } from 'node:url'\n\nconst nodeArgs = ['--no-node-snapshot', fileURLToPath(new URL('./cli/main.mjs', import.meta.url))]\n",
    ),
    resolveDir: path.join(root, 'bin'),
    loader: 'js',
  },
  outfile: path.join(out, 'bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'error',
})
chmodSync(path.join(out, 'bench.mjs'), 0o755)

// Files the bundled code reads beside itself (new URL('./…', import.meta.url)).
cpSync(path.join(root, 'plugins/verifiers/python-sandbox/fork-server.py'), path.join(cli, 'fork-server.py'))
cpSync(path.join(root, 'reports/html-client.js'), path.join(cli, 'html-client.js'))
cpSync(path.join(root, 'reports/results.schema.json'), path.join(cli, 'results.schema.json'))
writeFileSync(path.join(cli, 'shim.bundle.js'), bundleShim(path.join(root, 'plugins/verifiers/js-sandbox/shim/create-shim.ts')))

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string; license: string }
writeFileSync(
  path.join(out, 'package.json'),
  JSON.stringify(
    { name: pkg.name, version: pkg.version, license: pkg.license, type: 'module', private: true, description: 'bonbench, bundled: run node bench.mjs' },
    null,
    2,
  ) + '\n',
)

const modules = path.join(out, 'node_modules')
const pkgDir = (name: string) => path.dirname(repoRequire.resolve(`${name}/package.json`))
// isolated-vm: its loader and the addon, debug info stripped when `strip` is there (26 MB → 1 MB on linux-x64).
copyPackageFiles(modules, 'isolated-vm', pkgDir('isolated-vm'), ['package.json', 'isolated-vm.js', 'LICENSE', 'out/isolated_vm.node'])
try {
  execFileSync('strip', ['--strip-debug', path.join(modules, 'isolated-vm/out/isolated_vm.node')], { stdio: 'ignore' })
} catch {
  console.warn('bundle: `strip` is not available; isolated-vm keeps its debug info (about 25 MB more)')
}
// TensorFlow.js and its wasm backend are bundled; the catalog still resolves them by name, and the wasm backend loads its binaries from dist/.
stub(modules, '@tensorflow/tfjs', false)
stub(modules, '@tensorflow/tfjs-backend-wasm', false)
copyPackageFiles(
  modules,
  '@tensorflow/tfjs-backend-wasm',
  pkgDir('@tensorflow/tfjs-backend-wasm'),
  ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((f) => `dist/${f}`),
)
// The HTML report inlines Chart.js's browser build, found through `chart.js/auto`.
// Its exports hide package.json: find the folder through `chart.js/auto`, as reports/html.ts does.
copyPackageFiles(modules, 'chart.js', path.join(path.dirname(repoRequire.resolve('chart.js/auto')), '..'), [
  'package.json',
  'LICENSE.md',
  'auto',
  'dist/chart.umd.js',
])
stub(modules, 'react-devtools-core', true)
if (webgpu) {
  stub(modules, '@tensorflow/tfjs-backend-webgpu', false)
  const binary = `dist/${process.platform}-${process.arch}/dawn.node`
  if (!existsSync(path.join(webgpu.dawn, binary))) usage(`${webgpu.dawn} has no ${binary}: bundle on the platform the GPU node runs`)
  copyPackageFiles(modules, 'webgpu', webgpu.dawn, [
    'package.json',
    'index.js',
    ...(existsSync(path.join(webgpu.dawn, 'LICENSE.md')) ? ['LICENSE.md'] : []),
    binary,
  ])
}

const bytes = folderBytes(out)
const mb = (bytes / 2 ** 20).toFixed(1)
console.log(
  `wrote ${out}: ${mb} MB, backends wasm and cpu${webgpu ? ' and webgpu (Dawn)' : ' (no webgpu: install it here or pass --webgpu-from)'}; ` +
    `run there: node ${path.join(out, 'bench.mjs')} env`,
)
if (bytes > BUNDLE_LIMIT_BYTES) {
  console.error(`bundle: ${mb} MB is over the 60 MB limit`)
  process.exit(1)
}
