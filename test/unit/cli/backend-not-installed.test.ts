import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BACKENDS, isInstalled } from '../../../core/backend/backend-catalog.js'
import { benchInProcess, benchUsageError } from '../../e2e/cli-help.js'
import { tempProject } from '../../helpers/toy-run.js'

// A named backend that is not installed here (tensorflow: the tfjs-node binding) is misuse found
// before any work (exit 2: BENCH_BACKEND_UNAVAILABLE), with its install command and a fix that
// works for the command given. It failed once the model started the backend instead: exit 4
// after a run directory was created, whose suggested `bench run --resume` failed the same way,
// and `--dry-run` said nothing (exit 0). Runs that resume or rerun a record asking for one are
// in test/unit/run/rerun-record.test.ts.

const INSTALL = 'backend tensorflow, which is not installed here (npm i @tensorflow/tfjs-node'
const TINY = ['toy', '--model', 'tiny-transformer', '--test-prompts', '2', '--no-tui', '--no-reports']

describe('a named backend that is not installed here', () => {
  const project = tempProject('bonbench-backend-missing-')
  const runs = join(project.dir, '.bench', 'runs')
  afterAll(() => project.cleanup())
  beforeAll(() => {
    expect(isInstalled(BACKENDS.find((b) => b.name === 'tensorflow')!), 'tensorflow (tfjs-node) is not installed here').toBe(false)
  })

  it.each([[[]], [['--dry-run']]])('bench run %j refuses it before creating a run directory (exit 2)', async (dryRun) => {
    const refused = await benchUsageError(['run', ...TINY, '--backend', 'tensorflow', ...dryRun], project.dir)
    expect(refused.exitCode, refused.stderr).toBe(2)
    expect(refused.stderr).toContain(`bench: cannot start the run on ${INSTALL}`)
    expect(refused.stderr).toContain('Install it, or pass --backend auto')
    expect(existsSync(runs)).toBe(false)
  })

  it('bench eval --checkpoint refuses it before creating a run directory (exit 2)', async () => {
    const checkpoint = join(project.dir, 'weights')
    mkdirSync(checkpoint, { recursive: true })
    const refused = await benchUsageError(['eval', ...TINY, '--checkpoint', checkpoint, '--backend', 'tensorflow'], project.dir)
    expect(refused.exitCode, refused.stderr).toBe(2)
    expect(refused.stderr).toContain(`bench: cannot evaluate ${checkpoint} on ${INSTALL}`)
    expect(refused.stderr).toContain('Install it, or pass --backend auto')
    expect(existsSync(runs)).toBe(false)
  })

  it('named by the config file, it is refused the same way, and the fix it names (--backend auto) works', async () => {
    const dir = join(project.dir, 'configured')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ backend: 'tensorflow' }))
    const refused = await benchUsageError(['run', ...TINY, '--dry-run'], dir)
    expect(refused.exitCode, refused.stderr).toBe(2)
    expect(refused.stderr).toContain(`cannot start the run on ${INSTALL}`)
    const fixed = await benchInProcess(['run', ...TINY, '--dry-run', '--backend', 'auto'], { cwd: dir })
    expect(fixed.exitCode, fixed.stderr).toBe(0)
    expect(fixed.stdout).toContain('plan: 1 cells')
  })

  it("named by the model's own backend option, it is refused the same way (the model runs on its option)", async () => {
    const dir = join(project.dir, 'model-option')
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'bench.config.json'), JSON.stringify({ plugins: [['tiny-transformer', { backend: 'tensorflow' }]] }))
    const refused = await benchUsageError(['run', ...TINY], dir)
    expect(refused.exitCode, refused.stderr).toBe(2)
    expect(refused.stderr).toContain(`cannot start the run on ${INSTALL}`)
    expect(existsSync(join(dir, '.bench', 'runs'))).toBe(false)
  })
})
