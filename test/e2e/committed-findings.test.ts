import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, tempDir } from './cli-helper.js'

const tmp = tempDir('bonbench-committed-findings-')
afterAll(() => tmp.cleanup())

// The first study's documents (superseded by study v2, kept with the reason in docs/study/README.md).
describe.each([
  ['docs/study/results.md', 'docs/study/results.json.gz', []],
  ['docs/study/results-lr3e-4.md', 'docs/study/results-lr3e-4.json.gz', []],
] as Array<[string, string, string[]]>)('%s', (doc, source, extra) => {
  it(`regenerates byte for byte from the committed study results (${source})`, async () => {
    const repo = process.cwd()
    const out = join(tmp.dir, doc.replace(/\//g, '_'))
    const result = await bench(['findings', source, '--out', out, ...extra], { cwd: repo, timeout: 120_000 })
    expect(result.exitCode, result.stderr).toBe(0)
    const committed = await readFile(join(repo, doc), 'utf8')
    const regenerated = (await readFile(out, 'utf8')).replace(`--out ${out}`, `--out ${doc}`)
    expect(regenerated).toBe(committed)
    // Every prediction has a verdict in the summary table.
    for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'])
      expect(committed).toMatch(new RegExp(`^\\| ${id} \\| .* \\| \\*\\*(holds|does not hold|inconclusive|not testable here)\\*\\* \\|`, 'm'))
  }, 180_000)
})
