import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bench, tempDir } from './cli-helper.js'

const tmp = tempDir('bonbench-committed-findings-')
afterAll(() => tmp.cleanup())

// Study v2's document (issue 13), then the first study's (superseded by study v2, kept with the
// reason in docs/study/README.md). The v2 results are 230 MB of JSON with 340 comparisons of 20,000
// resamples: about 30 s on the 2-core machine.
describe.each([
  ['docs/results.md', 'docs/study-v2/results.json.gz', ['--control', 'docs/study-v2/results-oracle.json.gz']],
  ['docs/study/results.md', 'docs/study/results.json.gz', []],
  ['docs/study/results-lr3e-4.md', 'docs/study/results-lr3e-4.json.gz', []],
] as Array<[string, string, string[]]>)('%s', (doc, source, extra) => {
  it(`regenerates byte for byte from the committed study results (${source})`, async () => {
    const repo = process.cwd()
    const out = join(tmp.dir, doc.replace(/\//g, '_'))
    const result = await bench(['findings', source, '--out', out, ...extra], { cwd: repo, timeout: 300_000 })
    expect(result.exitCode, result.stderr).toBe(0)
    const committed = await readFile(join(repo, doc), 'utf8')
    const regenerated = (await readFile(out, 'utf8')).replace(`--out ${out}`, `--out ${doc}`)
    expect(regenerated).toBe(committed)
    // Every prediction has a verdict in the summary table.
    for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'])
      expect(committed).toMatch(new RegExp(`^\\| ${id} \\| .* \\| \\*\\*(holds|does not hold|inconclusive|not testable here)\\*\\* \\|`, 'm'))
  }, 360_000)
})

describe("the README's summary of study v2", () => {
  it('states the verdict of docs/results.md for every prediction', async () => {
    const [readme, results] = await Promise.all([readFile('README.md', 'utf8'), readFile('docs/results.md', 'utf8')])
    for (const id of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6']) {
      const verdict = new RegExp(`^\\| ${id} \\| .*? \\| \\*\\*([a-z ]+)\\*\\* \\|`, 'm').exec(results)?.[1]
      expect(verdict, `${id} in docs/results.md`).toBeDefined()
      const line = readme.split('\n').find((l) => l.startsWith(`- ${id}, `))
      expect(line, `README line "- ${id}, …"`).toBeDefined()
      expect(line).toContain(`**${verdict}**`)
    }
  })
})
