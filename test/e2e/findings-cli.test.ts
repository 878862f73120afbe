import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { plantedResults } from '../helpers/planted-results.js'
import { benchInProcess } from './cli-help.js'
import { tempDir } from './cli-helper.js'

const tmp = tempDir('bonbench-findings-')
afterAll(() => tmp.cleanup())

describe('bench findings', () => {
  it('writes docs/results.md from a results.json alone, byte-identical on every regeneration', async () => {
    const scale = (n: number) => Math.log2(n) / 5
    const results = plantedResults({
      prompts: 16,
      arms: [
        { strategy: 'sft', pass: (n) => 0.03 - 0.15 * scale(n), bon: (n) => 0.03 - 0.15 * scale(n), distinct: -0.8 },
        { strategy: 'bon-rl-s', nTrain: 8, pass: () => 0.08, distinct: 0.3 },
      ],
    })
    await writeFile(join(tmp.dir, 'results.json'), JSON.stringify(results, null, 2))
    const first = await benchInProcess(['findings', 'results.json', '--out', 'docs/results.md'], { cwd: tmp.dir })
    expect(first.stderr).toBe('')
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toMatch(/^P2 holds: BoN-aware training wins on its own metric$/m)
    expect(first.stdout).toMatch(/^P3 not testable here: /m)
    expect(first.stdout).toContain('wrote docs/results.md')
    const bytes = await readFile(join(tmp.dir, 'docs/results.md'), 'utf8')
    expect(bytes).toContain('Regenerate with `npx bench findings results.json --out docs/results.md`')
    const again = await benchInProcess(['findings', 'results.json', '--out', 'docs/results.md'], { cwd: tmp.dir })
    expect(again.exitCode).toBe(0)
    expect(await readFile(join(tmp.dir, 'docs/results.md'), 'utf8')).toBe(bytes)
    // Without --out it prints the same document, byte for byte.
    const printed = await benchInProcess(['findings', 'results.json'], { cwd: tmp.dir })
    expect(printed.exitCode).toBe(0)
    expect(printed.stdout).toBe(bytes.replace(' --out docs/results.md', ''))
    // A run directory works too: it reads <dir>/results.json.
    const fromDir = await benchInProcess(['findings', '.'], { cwd: tmp.dir })
    expect(fromDir.exitCode).toBe(0)
    expect(fromDir.stdout).toContain('Generated from `.` (run `planted`)')
    // A gzip-compressed results file reads the same (docs/study commits results.json.gz).
    await writeFile(join(tmp.dir, 'results.json.gz'), gzipSync(JSON.stringify(results)))
    const gz = await benchInProcess(['findings', 'results.json.gz'], { cwd: tmp.dir })
    expect(gz.exitCode, gz.stderr).toBe(0)
    expect(gz.stdout).toBe(
      printed.stdout
        .replace('Generated from `results.json`', 'Generated from `results.json.gz`')
        .replace('findings results.json`', 'findings results.json.gz`'),
    )
  }, 120_000)

  it('says what to do when there is no results.json or it is not one', async () => {
    const missing = await benchInProcess(['findings', 'docs'], { cwd: tmp.dir })
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/^bench: cannot read docs\/results\.json .*bench report docs --format json/)
    await writeFile(join(tmp.dir, 'bad.json'), JSON.stringify({ schema: 'something-else' }))
    const bad = await benchInProcess(['findings', 'bad.json'], { cwd: tmp.dir })
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/not a bonbench results\.json of this version/)
    const badT = await benchInProcess(['findings', 'results.json', '--temperature', '0.3'], { cwd: tmp.dir })
    expect(badT.exitCode).toBe(2)
    expect(badT.stderr).toMatch(/temperature 0\.3 is not in the run/)
  }, 120_000)
})
