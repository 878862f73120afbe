import { execa } from 'execa'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { watchForStall } from '../../../cli/stall-watch.js'
import { repoRoot } from '../../e2e/cli-helper.js'

// A command that awaits a promise nothing can settle any more: Node's loop runs empty, and
// without the watch the process exits 13 ("unsettled top-level await") in silence.
const module = pathToFileURL(`${repoRoot}/cli/stall-watch.ts`).href
const runScript = (script: string) =>
  execa(process.execPath, ['--conditions=bonbench-source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, reject: false })

describe('stall watch (cli/stall-watch.ts)', () => {
  it('rejects the watched work with BENCH_PLUGIN_CONTRACT naming where it was and the hook it waits on, and the command goes on to its error path', async () => {
    const result = await runScript(
      [
        `import { watchForStall } from '${module}'`,
        `import { callHook } from '${pathToFileURL(`${repoRoot}/core/run/hooks-in-flight.ts`).href}'`,
        "const stall = watchForStall(() => 'in cell base-n1-t1-s0 (sample)')",
        "const verifier = { kind: 'verifier', name: 'acme/judge' }",
        "await callHook(verifier, 'score', () => 'settled')",
        'try {',
        "  await Promise.race([callHook(verifier, 'setup', () => new Promise(() => {})), stall.stalled])",
        '} catch (error) {',
        '  console.log(JSON.stringify({ code: error.code, message: error.message, fired: stall.fired }))',
        '  process.exitCode = 4',
        '} finally {',
        '  stall.stop()',
        '}',
      ].join('\n'),
    )
    expect(result.exitCode, result.stderr).toBe(4)
    const seen = JSON.parse(result.stdout) as { code: string; message: string; fired: boolean }
    expect(seen.code).toBe('BENCH_PLUGIN_CONTRACT')
    // The hook that never settled is named; the one that did is not.
    expect(seen.message).toMatch(
      /^the run stalled in cell base-n1-t1-s0 \(sample\), waiting on verifier plugin 'acme\/judge' setup\(\): it waits on a promise that can never settle/,
    )
    expect(seen.fired).toBe(true)
  })

  it('the process-wide fallback says so and exits with the code it was given, unless a watch is on', async () => {
    const fallback = await runScript([`import { onCommandStall } from '${module}'`, 'onCommandStall(70)', 'await new Promise(() => {})'].join('\n'))
    expect(fallback.exitCode).toBe(70)
    expect(fallback.stderr).toMatch(/^bench: the command stalled: it waits on a promise that can never settle.*Exiting \(code 70\)\.$/m)
    // Without it: Node's own silent 13, what the watch replaces.
    const bare = await runScript('await new Promise(() => {})')
    expect(bare.exitCode).toBe(13)
    // A watch of the work's own takes precedence: one message, from the work's error path.
    const both = await runScript(
      [
        `import { onCommandStall, watchForStall } from '${module}'`,
        'onCommandStall(70)',
        'const stall = watchForStall(() => undefined)',
        'await Promise.race([new Promise(() => {}), stall.stalled]).catch((error) => { console.log(error.message); process.exitCode = 4 })',
        'stall.stop()',
      ].join('\n'),
    )
    expect(both.exitCode).toBe(4)
    expect(both.stdout).toMatch(/^the run stalled: it waits/)
    expect(both.stderr).not.toMatch(/the command stalled/)
  })

  it('a watch that the work outlived leaves no listener and no unhandled rejection behind', async () => {
    const before = process.listenerCount('beforeExit')
    const stall = watchForStall(() => undefined)
    expect(process.listenerCount('beforeExit')).toBe(before + 1)
    expect(await Promise.race([Promise.resolve('done'), stall.stalled])).toBe('done')
    stall.stop()
    stall.stop()
    expect(process.listenerCount('beforeExit')).toBe(before)
    expect(stall.fired).toBe(false)
  })
})
