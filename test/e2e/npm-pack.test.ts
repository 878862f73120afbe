import { execa } from 'execa'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { repoRoot, sharedData, tempDir } from './cli-helper.js'
import { bonbenchVersion, installTarball, packBonbench } from './packed-bonbench.js'

// bonbench as its users get it: `npm pack`, the tarball unpacked into a fresh project's
// node_modules, then used with plain Node (no tsx) and type-checked with TypeScript.
//
// `npm pack --ignore-scripts` (packed-bonbench.ts, once per build for the files that need it): it
// packs the dist/ that `npm ci` built (through `prepare`) instead of rebuilding it — a rebuild takes ~20 s on 2 cores and empties dist/ first (prebuild), which
// other test files running in parallel read. The test is about what ships and whether it works.
//
// The tarball's dependencies are not installed from the registry (there is none offline):
// packed-bonbench.ts's installTarball unpacks it where `npm install <tarball>` puts it and links each
// package of the repository's node_modules beside it — except bonbench's devDependencies (but
// TypeScript and @types/node, which a TypeScript consumer has), so a type the package forgot to
// depend on fails.

const plugin = `import { defineVerifier, type Verdict, type VerifyItem } from 'bonbench'

/** Passes a completion equal to the problem's answer, after trimming. */
export const exact = defineVerifier({
  name: 'bonbench-plugin-exact/exact',
  kind: 'verifier',
  meta: { version: '1.0.0' },
  async score(batch: VerifyItem[]): Promise<Verdict[]> {
    return batch.map(({ problem, completion }) => {
      const pass = completion.trim() === problem.answer
      return { score: pass ? 1 : 0, reward: pass ? 1 : 0, pass, reason: pass ? 'passed' : 'failed' }
    })
  },
})
`

const contract = `import { assertContract, checkVerifierContract } from 'bonbench/testing'
import { exact } from './exact.js'

const problem = { id: 'p1', prompt: '1 + 1 =', answer: '2' }
const report = await checkVerifierContract(exact, [
  { name: 'right', item: { problem, completion: ' 2 ' }, expect: { pass: true, reward: 1 } },
  { name: 'wrong', item: { problem, completion: '3' }, expect: { pass: false, reward: 0 } },
])
assertContract(report)
console.log(JSON.stringify({ problems: report.problems.length }))
`

// A verdict without its \`score\`: the shipped .d.ts must reject it.
const badVerdict = `import { defineVerifier } from 'bonbench'

export const broken = defineVerifier({
  name: 'bonbench-plugin-exact/broken',
  kind: 'verifier',
  meta: { version: '1.0.0' },
  async score(batch) {
    return batch.map(() => ({ pass: true, reason: 'passed' }))
  },
})
`

const compilerOptions = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  // The shipped .d.ts and what they import are checked; TypeScript's own lib.*.d.ts (the same
  // whatever bonbench ships) are not: about a CPU second less.
  skipLibCheck: false,
  skipDefaultLibCheck: true,
  types: ['node'],
  rootDir: 'src',
  outDir: 'out',
}

describe('the packed bonbench package in a fresh project', () => {
  const work = tempDir('bonbench-pack-')
  const project = join(work.dir, 'consumer')
  const installed = join(project, 'node_modules', 'bonbench')
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  let files: string[] = []

  beforeAll(async () => {
    // The tarball of this build, packed once for the test files that need it (packed-bonbench.ts).
    const packed = await packBonbench()
    files = packed.files
    await installTarball(packed.tarball, project)
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies: { bonbench: bonbenchVersion } }),
    )
    mkdirSync(join(project, 'src'))
    writeFileSync(join(project, 'src', 'exact.ts'), plugin)
    writeFileSync(join(project, 'src', 'contract.ts'), contract)
    writeFileSync(join(project, 'src', 'bad-verdict.ts'), badVerdict)
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }))
  }, 60_000)
  afterAll(() => work.cleanup())

  it('ships the compiled package, its types, the bin, run-time assets and the docs the README links, and no sources, tests or study data', () => {
    for (const path of [
      'package.json',
      'README.md',
      'bin/bench.js',
      'bin/cli-entry.js',
      'dist/core/index.js',
      'dist/core/index.d.ts',
      'dist/core/testing/index.js',
      'dist/core/testing/index.d.ts',
      'dist/cli/main.js',
      'dist/reports/results.schema.json',
      'dist/reports/html-client.js',
      'dist/core/backend/probe-worker-entry.mjs',
      'dist/plugins/models/tiny-transformer/worker-entry.mjs',
      'dist/plugins/verifiers/js-sandbox/shim.bundle.js',
      'dist/plugins/verifiers/python-sandbox/fork-server.py',
      // zod bundled into one module, with its licence (scripts/vendor-zod.mjs).
      'dist/vendor/zod.js',
      'dist/vendor/zod.LICENSE',
      // The README's links for plugin authors resolve inside the installed package.
      'docs/plugins.md',
      'docs/nightly.md',
      'docs/examples/numeric-verifier.ts',
    ]) {
      expect(files, path).toContain(path)
    }
    const stray = files.filter(
      (f) =>
        !/^(package\.json|README\.md|LICENSE|bin\/[^/]+\.js|dist\/.+\.(js|mjs|d\.ts|json)|dist\/plugins\/verifiers\/python-sandbox\/fork-server\.py|dist\/vendor\/zod\.LICENSE|docs\/[^/]+\.md|docs\/examples\/[^/]+\.ts)$/.test(
          f,
        ),
    )
    expect(stray).toEqual([])
  })

  it("imports 'bonbench' and 'bonbench/testing' from the unpacked tarball with plain Node", async () => {
    const script = [
      "const api = await import('bonbench')",
      "const testing = await import('bonbench/testing')",
      "console.log(JSON.stringify({ from: import.meta.resolve('bonbench'), defineVerifier: typeof api.defineVerifier, runMatrix: typeof api.runMatrix, checkVerifierContract: typeof testing.checkVerifierContract }))",
    ].join('\n')
    const result = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: project, reject: false, env: { NODE_OPTIONS: '' } })
    expect(result.stderr).toBe('')
    const out = JSON.parse(result.stdout) as Record<string, string>
    expect(out.from).toBe(`file://${join(installed, 'dist', 'core', 'index.js')}`)
    expect(out).toMatchObject({ defineVerifier: 'function', runMatrix: 'function', checkVerifierContract: 'function' })
  })

  it('type-checks a verifier plugin against the shipped .d.ts, rejects a verdict without a score, and the compiled plugin keeps its contract in plain Node', async () => {
    // One tsc run over the three files (a second one costs ~10 s on 2 cores): the only errors must
    // be bad-verdict.ts's; tsc still emits the others (noEmitOnError is off).
    const checked = await execa(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, reject: false })
    const errors = checked.stdout.split('\n').filter((line) => / error TS\d+/.test(line))
    expect(checked.exitCode).not.toBe(0)
    expect(errors.length, checked.stdout).toBeGreaterThan(0)
    expect(
      errors.filter((line) => !line.startsWith('src/bad-verdict.ts(')),
      checked.stdout,
    ).toEqual([])
    expect(checked.stdout).toMatch(/Property 'score' is missing/)
    const run = await execa(process.execPath, ['out/contract.js'], { cwd: project, reject: false, env: { NODE_OPTIONS: '' } })
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual({ problems: 0 })
  })

  it('runs the bench executable from the compiled CLI: the js-sandbox verifies the HumanEval-X references', async () => {
    const data = join(sharedData, 'humaneval_js/humaneval_js.humaneval-x.jsonl.gz')
    const result = await execa(
      process.execPath,
      [join(installed, 'bin', 'bench.js'), 'verify', 'humaneval-js', '--data', data, '--reference', '--out', join(work.dir, 'ref.jsonl'), '--json'],
      {
        cwd: project,
        reject: false,
        env: { CI: 'true', NO_COLOR: '1', NODE_OPTIONS: '' },
      },
    )
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ problems: 164, verdicts: { passed: 161, assertion: 2, runtime: 1 } })
  })
})
