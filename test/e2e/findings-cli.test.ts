import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { plantedResults } from '../helpers/planted-results.js'
import { bench, tempDir } from './cli-helper.js'

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
    const first = await bench(['findings', 'results.json', '--out', 'docs/results.md'], { cwd: tmp.dir, timeout: 60_000 })
    expect(first.stderr).toBe('')
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toMatch(/^P2 holds: BoN-aware training wins on its own metric$/m)
    expect(first.stdout).toMatch(/^P3 not testable here: /m)
    expect(first.stdout).toContain('wrote docs/results.md')
    const bytes = await readFile(join(tmp.dir, 'docs/results.md'), 'utf8')
    expect(bytes).toContain('Regenerate with `npx bench findings results.json --out docs/results.md`')
    const again = await bench(['findings', 'results.json', '--out', 'docs/results.md'], { cwd: tmp.dir, timeout: 60_000 })
    expect(again.exitCode).toBe(0)
    expect(await readFile(join(tmp.dir, 'docs/results.md'), 'utf8')).toBe(bytes)
    // Without --out it prints the same document (execa drops the final newline).
    const printed = await bench(['findings', 'results.json'], { cwd: tmp.dir, timeout: 60_000 })
    expect(printed.exitCode).toBe(0)
    expect(printed.stdout).toBe(bytes.replace(' --out docs/results.md', '').trimEnd())
    // A run directory works too: it reads <dir>/results.json.
    const fromDir = await bench(['findings', '.'], { cwd: tmp.dir, timeout: 60_000 })
    expect(fromDir.exitCode).toBe(0)
    expect(fromDir.stdout).toContain('Generated from `.` (run `planted`)')
    // A gzip-compressed results file reads the same (docs/study commits results.json.gz).
    await writeFile(join(tmp.dir, 'results.json.gz'), gzipSync(JSON.stringify(results)))
    const gz = await bench(['findings', 'results.json.gz'], { cwd: tmp.dir, timeout: 60_000 })
    expect(gz.exitCode, gz.stderr).toBe(0)
    expect(gz.stdout).toBe(
      printed.stdout
        .replace('Generated from `results.json`', 'Generated from `results.json.gz`')
        .replace('findings results.json`', 'findings results.json.gz`'),
    )
  }, 120_000)

  it('says what to do when there is no results.json or it is not one', async () => {
    const missing = await bench(['findings', 'docs'], { cwd: tmp.dir, timeout: 60_000 })
    expect(missing.exitCode).toBe(2)
    expect(missing.stderr).toMatch(/^bench: cannot read docs\/results\.json .*bench report docs --format json/)
    await writeFile(join(tmp.dir, 'bad.json'), JSON.stringify({ schema: 'something-else' }))
    const bad = await bench(['findings', 'bad.json'], { cwd: tmp.dir, timeout: 60_000 })
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/not a bonbench results\.json of this version/)
    const badT = await bench(['findings', 'results.json', '--temperature', '0.3'], { cwd: tmp.dir, timeout: 60_000 })
    expect(badT.exitCode).toBe(2)
    expect(badT.stderr).toMatch(/temperature 0\.3 is not in the run/)
  }, 120_000)
})
