/**
 * `bench serve` and `bench run --model openai-compatible --base-url` end to end: the real CLI in a
 * temporary folder. A tiny base model is pretrained (200 steps on one-digit sums, so it solves some) and cached by an in-process run;
 * `bench serve` serves that checkpoint on loopback; the same run through the HTTP model draws the
 * same pools and numbers. The API key never reaches the run's files or output.
 */
import { execa, type ResultPromise } from 'execa'
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import OpenAI from 'openai'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchInProcess, benchUsageError } from './cli-help.js'
import { bench, benchArgs, tempDir } from './cli-helper.js'

const tmp = tempDir('bonbench-serve-')
const SECRET = 'sk-bonbench-test-7f3a9c'
// One-digit sums: a base pretrained for 200 steps solves some of them, so the compared numbers are not all 0.
const easyMath = ['math', { levels: [1], levelSpecs: { 1: { digits: [1, 1], operators: '+' } }, trainSize: 60, testSize: 8, maxChars: 32 }]
const runArgs = ['--test-prompts', '4', '--n', '1,2,4', '--verifier', 'math-answer', '--runs-dir', 'runs', '--no-tui']
let checkpoint: string
let localRun: string

function runDirs(cwd: string): string[] {
  return readdirSync(join(cwd, 'runs')).map((d) => join(cwd, 'runs', d))
}
function journal(runDir: string): Array<Record<string, unknown>> {
  return readFileSync(join(runDir, 'journal.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
}
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? filesUnder(join(dir, f)) : [join(dir, f)]))
}

// One Chromium for the file (each launch costs seconds of CPU) and one page in it (a new page is a
// renderer process: a third of a CPU second), started on first use, closed in afterAll.
let browser: Browser | undefined
let page: Page | undefined

/** The token-usage table of a run's report.html as Chromium renders it: header and body rows' cells (none when absent). */
async function htmlUsageTable(runDir: string): Promise<string[][]> {
  const executablePath = '/usr/bin/chromium'
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: install Debian's chromium (apt-get install -y chromium)`)
  browser ??= await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] })
  page ??= await browser.newPage()
  // Each read loads the file afresh: the table is the one this report.html renders.
  await page.goto(pathToFileURL(join(runDir, 'report.html')).href)
  return await page.$$eval('#token-usage tr', (rows) => rows.map((r) => [...r.querySelectorAll('th,td')].map((c) => c.textContent ?? '')))
}

/** Starts `bench serve` and resolves with the process and its base URL once it listens. */
async function serve(args: string[], env: Record<string, string> = {}): Promise<{ proc: ResultPromise; url: string }> {
  const proc = execa(process.execPath, benchArgs(['serve', ...args]), { cwd: tmp.dir, reject: false, env: { CI: 'true', ...env } })
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    proc.stdout!.on('data', (d: Buffer) => {
      out += String(d)
      const m = /at (http:\/\/\S+\/v1)/.exec(out)
      if (m) resolve(m[1]!)
    })
    void proc.then((r) => reject(new Error(`bench serve ended: ${String(r.stderr)}`)))
  })
  return { proc, url }
}

/** A folder under tmp whose config runs the tiny transformer in-process on the easy sums. */
function tinyModelProject(name: string): string {
  const dir = join(tmp.dir, name)
  mkdirSync(dir)
  writeFileSync(
    join(dir, 'bench.config.json'),
    JSON.stringify({ plugins: [['tiny-transformer', { layers: 1, width: 32, heads: 2, context: 48, maxWorkers: 1 }], easyMath] }),
  )
  return dir
}

beforeAll(async () => {
  const local = tinyModelProject('local')
  const result = await benchInProcess(['run', 'math', '--pretrain-steps', '200', '--cache-dir', '../cache', ...runArgs], { cwd: local })
  expect(result.exitCode, result.stderr).toBe(0)
  localRun = runDirs(local)[0]!
  // The compared numbers are not all 0 (pass@1 0.125, Bo-4 0.45 over 4 prompts).
  const metrics = (journal(localRun).find((r) => r.type === 'cell')!.result as { metrics: { passAtN: number[] } }).metrics
  expect(Math.max(...metrics.passAtN)).toBeGreaterThan(0)
  const models = join(tmp.dir, 'cache', 'models')
  checkpoint = join(models, readdirSync(models)[0]!)
}, 120_000)
afterAll(async () => {
  await browser?.close()
  tmp.cleanup()
})

describe('bench serve + bench run --model openai-compatible', () => {
  it('draws the same pools and numbers as the in-process model, keeps the key out of every file, records usage, and stops cleanly on SIGTERM', async () => {
    const { proc, url } = await serve([checkpoint, '--port', '0', '--api-key-env', 'BENCH_SERVE_KEY', '--concurrency', '1'], { BENCH_SERVE_KEY: SECRET })
    const remote = join(tmp.dir, 'remote')
    mkdirSync(remote)
    writeFileSync(join(remote, 'bench.config.json'), JSON.stringify({ plugins: [['openai-compatible', { logprobs: true, apiKeyEnv: 'MY_KEY' }], easyMath] }))
    const result = await benchInProcess(['run', 'math', '--model', 'openai-compatible', '--base-url', url, '--cache-dir', 'cache', ...runArgs], {
      cwd: remote,
      env: { MY_KEY: SECRET },
    })
    expect(result.exitCode, result.stderr).toBe(0)
    const remoteRun = runDirs(remote)[0]!
    const pools = (dir: string) => journal(dir).filter((r) => r.type === 'pool')
    expect(pools(remoteRun).length).toBe(4)
    expect(pools(remoteRun)).toEqual(pools(localRun))
    const cell = (dir: string) => journal(dir).find((r) => r.type === 'cell')!.result as Record<string, Record<string, unknown>>
    expect(cell(remoteRun).metrics).toEqual(cell(localRun).metrics)
    expect(cell(remoteRun).prompts).toEqual(cell(localRun).prompts)
    expect(cell(remoteRun).compute!.tokensGenerated).toBe(cell(localRun).compute!.tokensGenerated)
    expect(cell(remoteRun).usage).toMatchObject({ requests: 4, cachedRequests: 0, completionTokens: cell(localRun).compute!.tokensGenerated })
    // Usage is shown per cell in results.json, report.md and report.html, and `bench report`
    // regenerates all three from the journal alone; a run without usage shows none.
    const usage = cell(remoteRun).usage as unknown as { requests: number; cachedRequests: number; promptTokens: number; completionTokens: number }
    expect(usage.promptTokens).toBeGreaterThan(0)
    const cellId = journal(remoteRun).find((r) => r.type === 'cell')!.cellId as string
    const usageRow = [cellId, String(usage.requests), String(usage.cachedRequests), String(usage.promptTokens), String(usage.completionTokens)]
    const shown = async (dir: string) => {
      const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { cells: Array<{ cellId: string; usage?: unknown }> }
      return { json: results.cells.map((c) => c.usage), md: readFileSync(join(dir, 'report.md'), 'utf8'), html: await htmlUsageTable(dir) }
    }
    const checkShown = async () => {
      const { json, md, html } = await shown(remoteRun)
      expect(json).toEqual([usage])
      expect(md).toContain('## Token usage')
      expect(md).toContain(`| \`${cellId}\` | ${usageRow.slice(1).join(' | ')} |`)
      expect(html).toEqual([['cell', 'requests', 'from cache', 'prompt tokens', 'completion tokens'], usageRow])
    }
    await checkShown()
    for (const f of ['results.json', 'report.md', 'report.html']) rmSync(join(remoteRun, f))
    const regenerated = await benchInProcess(['report', remoteRun], { cwd: remote })
    expect(regenerated.exitCode, regenerated.stderr).toBe(0)
    await checkShown()
    const none = await shown(localRun)
    expect(none.json).toEqual([undefined])
    expect(none.md).not.toContain('Token usage')
    expect(none.html).toEqual([])
    const recorded = JSON.parse(readFileSync(join(remoteRun, 'run.json'), 'utf8')) as {
      provenance: { plugins: Array<{ name: string; options: Record<string, unknown> }> }
    }
    expect(recorded.provenance.plugins.find((p) => p.name === 'bonbench:openai-compatible')!.options).toMatchObject({ baseUrl: url, apiKeyEnv: 'MY_KEY' })
    for (const file of [...filesUnder(remoteRun), ...filesUnder(join(remote, 'cache'))]) expect(readFileSync(file, 'utf8'), file).not.toContain(SECRET)
    expect(result.stdout + result.stderr).not.toContain(SECRET)

    // The real CLI streams each choice as it is decoded: one chunk per token, spelling the text
    // the same request gets unstreamed.
    const client = new OpenAI({ baseURL: url, apiKey: SECRET, maxRetries: 0 })
    const ask = { model: (await client.models.list()).data[0]!.id, prompt: 'What is 3 + 4?', n: 2, seed: 21, temperature: 2, max_tokens: 24 }
    const whole = await client.completions.create(ask)
    const pieces: string[][] = [[], []]
    for await (const chunk of await client.completions.create({ ...ask, stream: true }))
      for (const c of chunk.choices) if (c.text) pieces[c.index]!.push(c.text)
    expect(pieces.map((p) => p.join(''))).toEqual(whole.choices.map((c) => c.text))
    expect(pieces).toEqual(whole.choices.map((c) => [...c.text]))
    expect(pieces.flat().length).toBeGreaterThan(2)

    // A second run is answered from the request cache: the same numbers, every request cached.
    const again = await benchInProcess(['run', 'math', '--model', 'openai-compatible', '--base-url', url, '--cache-dir', 'cache', ...runArgs], {
      cwd: remote,
      env: { MY_KEY: SECRET },
    })
    expect(again.exitCode, again.stderr).toBe(0)
    const second = runDirs(remote).find((d) => d !== remoteRun)!
    expect(pools(second)).toEqual(pools(remoteRun))
    expect(cell(second).usage).toMatchObject({ requests: 4, cachedRequests: 4 })

    // A wrong key is a named error for the run (exit 2 before any cell).
    const refused = await benchInProcess(['run', 'math', '--model', 'openai-compatible', '--base-url', url, '--cache-dir', 'cache', ...runArgs], {
      cwd: remote,
      env: { MY_KEY: 'wrong' },
    })
    expect(refused.exitCode).not.toBe(0)
    expect(refused.stderr).toMatch(/401.*MY_KEY/)

    // Killed after two pools, resumed against the same checkpoint served on another port: the
    // journaled pools are kept (not asked again) and the finished run equals the in-process one.
    const resumable = join(tmp.dir, 'resumable')
    mkdirSync(resumable)
    writeFileSync(join(resumable, 'bench.config.json'), JSON.stringify({ plugins: [['openai-compatible', { logprobs: true, apiKeyEnv: 'MY_KEY' }], easyMath] }))
    const args = ['run', 'math', '--model', 'openai-compatible', '--base-url', url, '--cache-dir', 'cache', ...runArgs]
    const killed = await bench(args, { cwd: resumable, env: { MY_KEY: SECRET, BENCH_TEST_KILL_AFTER_RECORDS: '2' } })
    expect(killed.signal).toBe('SIGKILL')
    const killedRun = runDirs(resumable)[0]!
    const before = pools(killedRun).length
    expect(before).toBeGreaterThan(0)
    expect(before).toBeLessThan(4)
    const moved = await serve([checkpoint, '--port', '0', '--api-key-env', 'BENCH_SERVE_KEY', '--concurrency', '1'], { BENCH_SERVE_KEY: SECRET })
    expect(moved.url).not.toBe(url)
    const resumed = await benchInProcess(['run', '--resume', killedRun, '--base-url', moved.url, '--no-tui'], { cwd: resumable, env: { MY_KEY: SECRET } })
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    expect(pools(killedRun)).toEqual(pools(localRun))
    expect(cell(killedRun).usage).toMatchObject({ requests: 4 - before })
    moved.proc.kill('SIGTERM')
    expect((await moved.proc).exitCode).toBe(0)

    proc.kill('SIGTERM')
    const ended = await proc
    expect(ended.exitCode, String(ended.stderr)).toBe(0)
    expect(String(ended.stderr)).toMatch(/SIGTERM: stopping[\s\S]*stopped after \d+ sampling requests/)
  }, 180_000)

  it('names the served model after its weights: a request cache warmed on one checkpoint never answers for another', async () => {
    // A second base: the same tiny model pretrained for 5 steps, not 200.
    const other = tinyModelProject('other')
    const pretrained = await benchInProcess(['run', 'math', '--pretrain-steps', '5', '--cache-dir', 'cache', ...runArgs], { cwd: other })
    expect(pretrained.exitCode, pretrained.stderr).toBe(0)
    const otherCheckpoint = join(other, 'cache', 'models', readdirSync(join(other, 'cache', 'models'))[0]!)
    const client = join(tmp.dir, 'one-cache')
    mkdirSync(client)
    writeFileSync(join(client, 'bench.config.json'), JSON.stringify({ plugins: [['openai-compatible', { logprobs: true }], easyMath] }))
    /** Serves `dir` under its default name, runs once per cache folder against it, and stops it: the name and the run folders. */
    const runAgainst = async (dir: string, cacheDirs: string[]) => {
      const { proc, url } = await serve([dir, '--port', '0', '--concurrency', '1'])
      const name = (await new OpenAI({ baseURL: url, apiKey: 'none', maxRetries: 0 }).models.list()).data[0]!.id
      const runs: string[] = []
      for (const cacheDir of cacheDirs) {
        const before = existsSync(join(client, 'runs')) ? runDirs(client) : []
        const result = await benchInProcess(['run', 'math', '--model', 'openai-compatible', '--base-url', url, '--cache-dir', cacheDir, ...runArgs], {
          cwd: client,
        })
        expect(result.exitCode, result.stderr).toBe(0)
        runs.push(runDirs(client).find((d) => !before.includes(d))!)
      }
      proc.kill('SIGTERM')
      expect((await proc).exitCode).toBe(0)
      return { name, runs }
    }
    const first = await runAgainst(checkpoint, ['cache'])
    // The second checkpoint, served next: once with the cache the first one warmed, once with a cold one.
    const second = await runAgainst(otherCheckpoint, ['cache', 'cold-cache'])
    const pools = (dir: string) => journal(dir).filter((r) => r.type === 'pool')
    const cell = (dir: string) => journal(dir).find((r) => r.type === 'cell')!.result as Record<string, unknown>
    const [warm, cold] = second.runs as [string, string]
    // Warm or cold, the second checkpoint's own completions (those of the in-process run that
    // pretrained it), and none of the first one's: the two checkpoints sample differently here.
    expect(pools(warm)).toHaveLength(4)
    expect(pools(warm)).toEqual(pools(cold))
    expect(pools(cold)).toEqual(pools(runDirs(other)[0]!))
    expect(pools(warm)).not.toEqual(pools(first.runs[0]!))
    expect(cell(warm).metrics).toEqual(cell(cold).metrics)
    expect(cell(warm).prompts).toEqual(cell(cold).prompts)
    // Because each is served under a name that holds its checkpoint's hash (and the backend it runs on).
    expect(first.name).toMatch(/^tiny-transformer@[0-9a-f]{12}-(wasm|cpu|tensorflow|tensorflow-gpu|webgpu)$/)
    expect(second.name).toMatch(/^tiny-transformer@[0-9a-f]{12}-(wasm|cpu|tensorflow|tensorflow-gpu|webgpu)$/)
    expect(second.name).not.toBe(first.name)
    // --served-model-name still sets the name outright.
    const named = await serve([otherCheckpoint, '--port', '0', '--concurrency', '1', '--served-model-name', 'my-checkpoint'])
    expect((await new OpenAI({ baseURL: named.url, apiKey: 'none', maxRetries: 0 }).models.list()).data.map((m) => m.id)).toEqual(['my-checkpoint'])
    named.proc.kill('SIGTERM')
    await named.proc
  }, 180_000)

  it('refuses what is not a checkpoint, and --base-url for a model that is not served over HTTP', async () => {
    const notCkpt = await benchInProcess(['serve', tmp.dir], { cwd: tmp.dir })
    expect(notCkpt.exitCode).toBe(2)
    expect(notCkpt.stderr).toContain('is not a checkpoint')
    // A port out of range, or a cap below 1, is refused with the flags, before the model loads.
    const port = await benchUsageError(['serve', checkpoint, '--port', '70000'], tmp.dir)
    expect(port.exitCode).toBe(2)
    expect(port.stderr).toContain('--port: the port must be an integer in [0, 65535] (got 70000)')
    const cap = await benchUsageError(['serve', checkpoint, '--max-completions', '0'], tmp.dir)
    expect(cap.exitCode).toBe(2)
    expect(cap.stderr).toContain('--max-completions: the limit must be an integer ≥ 1 (got 0)')
    const wrongModel = await benchInProcess(['run', 'math', '--base-url', 'http://127.0.0.1:1/v1', '--dry-run'], { cwd: tmp.dir })
    expect(wrongModel.exitCode).toBe(2)
    expect(wrongModel.stderr).toContain('--base-url applies to a model served over HTTP')
    // bench eval takes the flag too (its error message names it), for the model it applies to only.
    const evalWrongModel = await benchInProcess(['eval', 'toy', '--model', 'tabular', '--base-url', 'http://127.0.0.1:1/v1'], { cwd: tmp.dir })
    expect(evalWrongModel.exitCode).toBe(2)
    expect(evalWrongModel.stderr).toContain('--base-url applies to a model served over HTTP')
  }, 60_000)
})
