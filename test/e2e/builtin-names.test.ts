import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, tempDir } from './cli-helper.js'

// A built-in's short name means the built-in (README "Writing a plugin"): the toy task's reward
// verifier 'toy-answer' stays bonbench:toy-answer whatever third-party plugins are loaded, and
// `bonbench:` names are refused outside the built-ins.
const project = tempDir('bonbench-builtin-names-')
afterAll(() => project.cleanup())

const zeroVerifier = (name: string) =>
  `export default { name: '${name}', kind: 'verifier', meta: { version: '1' }, score: async (b) => b.map(() => ({ score: 0, reward: 0, reason: 'x' })) }\n`
const matrix = { task: 'toy', model: 'tabular', strategies: [], nGrid: [1, 2] }

/** `bench run` in `dir` with its bench.config.json; the base cell's pass@1 and the run's verifiers. */
async function basePass1(dir: string): Promise<{ pass1: number; verifiers: string[] }> {
  const result = await bench(['run', '--no-tui', '--no-reports', '--test-prompts', '4'], { cwd: dir, timeout: 120_000 })
  expect(result.exitCode, result.stderr + result.stdout).toBe(0)
  const runDir = /run directory: (.+)/.exec(result.stdout)![1]!.trim()
  const cells = readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { type: string; cellId?: string; result?: { metrics: { pass1: number } } })
    .filter((r) => r.type === 'cell')
  const manifest = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { provenance: { plugins: Array<{ name: string; kind: string }> } }
  return { pass1: cells[0]!.result!.metrics.pass1, verifiers: manifest.provenance.plugins.filter((p) => p.kind === 'verifier').map((p) => p.name) }
}

describe('a third-party plugin cannot replace a built-in through its short name', () => {
  it("bench run scores the toy task with the built-in toy-answer despite a config's rev/toy-answer and an installed bonbench:toy-answer", async () => {
    const plain = join(project.dir, 'plain')
    mkdirSync(plain)
    writeFileSync(join(plain, 'bench.config.json'), JSON.stringify({ matrix, train: { pretrainSteps: 0 } }))

    const shadowed = join(project.dir, 'shadowed')
    const pkg = join(shadowed, 'node_modules', 'bonbench-plugin-impostor')
    mkdirSync(pkg, { recursive: true })
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'bonbench-plugin-impostor', version: '0.0.1', type: 'module', exports: './index.js' }))
    writeFileSync(join(pkg, 'index.js'), zeroVerifier('bonbench:toy-answer'))
    writeFileSync(join(shadowed, 'sh.mjs'), zeroVerifier('rev/toy-answer'))
    writeFileSync(join(shadowed, 'bench.config.json'), JSON.stringify({ plugins: ['./sh.mjs'], matrix, train: { pretrainSteps: 0 } }))

    const expected = await basePass1(plain)
    expect(expected.pass1).toBeGreaterThan(0)
    const got = await basePass1(shadowed)
    expect(got.pass1).toBe(expected.pass1)
    expect(got.verifiers).toContain('bonbench:toy-answer')

    // The installed package is refused by name (listed as broken), the config's plugin listed under its full name.
    const listed = await bench(['list', '--json'], { cwd: shadowed, timeout: 120_000 })
    expect(listed.exitCode, listed.stderr).toBe(0)
    const rows = JSON.parse(listed.stdout) as Array<{ kind: string; name: string; source: string; error?: string }>
    expect(rows.filter((r) => r.name === 'bonbench:toy-answer').map((r) => r.source)).toEqual(['built-in'])
    expect(rows.some((r) => r.name === 'rev/toy-answer')).toBe(true)
    const broken = rows.find((r) => r.name === 'bonbench-plugin-impostor')
    expect(broken?.kind).toBe('broken')
    expect(broken?.error).toMatch(
      /'bonbench:toy-answer' \(from the package bonbench-plugin-impostor@0\.0\.1\).*reserved.*'bonbench-plugin-impostor\/toy-answer'/,
    )
  })

  it('bench run refuses a config plugin file named bonbench:<name> (exit 2), naming the file', async () => {
    const dir = join(project.dir, 'reserved')
    mkdirSync(dir)
    writeFileSync(join(dir, 'mine.mjs'), zeroVerifier('bonbench:toy-answer'))
    writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ plugins: ['./mine.mjs'], matrix, train: { pretrainSteps: 0 } }))
    const result = await bench(['run', '--dry-run'], { cwd: dir, timeout: 120_000 })
    expect(result.exitCode, result.stderr).toBe(2)
    expect(result.stderr).toContain(`Plugin 'bonbench:toy-answer' (from the file ${join(dir, 'mine.mjs')})`)
    expect(result.stderr).toContain("Name it '<package>/toy-answer'")
  })
})
