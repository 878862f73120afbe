import { execa } from 'execa'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { prepareBaseModel } from '../../../core/run/base-model.js'
import { publishDir } from '../../../core/run/publish-dir.js'
import { tabular } from '../../../plugins/models/tabular/index.js'
import { toy } from '../../../plugins/tasks/toy/index.js'
import { repoRoot, tempDir } from '../../e2e/cli-helper.js'

const dir = tempDir('bonbench-base-race-')
afterAll(() => dir.cleanup())

/** The base model both processes prepare (the same key); the tabular model's save waits until both are saving. */
const setup = `
const task = toy({ prompts: 12 })
const data = await task.load({ seed: 5 })
const plain = tabular({ optimizer: 'adam', learningRate: 0.2 })`

// A child that pretrains the base model into a shared cache. Both children pretrain before either
// publishes; then 'first' saves and publishes, and 'second' saves once first's entry is complete:
// it must keep that entry and discard its own. Each save leaves a `writer-<role>` file in the folder.
const racer = `import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { prepareBaseModel } from ${JSON.stringify(join(repoRoot, 'core/run/base-model.ts'))}
import { tabular } from ${JSON.stringify(join(repoRoot, 'plugins/models/tabular/index.ts'))}
import { toy } from ${JSON.stringify(join(repoRoot, 'plugins/tasks/toy/index.ts'))}
const [cacheDir, barrier, role] = process.argv.slice(1)
${setup}
const until = async (ok) => { while (!ok()) await new Promise((r) => setTimeout(r, 5)) }
const published = () => existsSync(join(cacheDir, 'models')) && readdirSync(join(cacheDir, 'models')).some((n) => !n.includes('.tmp-') && existsSync(join(cacheDir, 'models', n, '.complete')))
const model = {
  ...plain,
  async create(ctx) {
    const instance = await plain.create(ctx)
    const save = instance.save.bind(instance)
    instance.save = async (to) => {
      writeFileSync(join(barrier, role), '')
      await until(() => readdirSync(barrier).length === 2)
      if (role === 'second') await until(published)
      const saved = await save(to)
      writeFileSync(join(to, 'writer-' + role), '')
      return saved
    }
    return instance
  },
}
const base = await prepareBaseModel({ model, task, data, taskSeed: 5, pretrainSteps: 6, pretrainBatch: 3, backend: 'js', concurrency: 1, cacheDir })
console.log(JSON.stringify({ cached: base.cached, key: base.key, hash: base.model.describe().hash }))`

describe('prepareBaseModel with two processes preparing the same base model at once', () => {
  it('both succeed with the same model; the entry published first stays, whole; the next run loads it', async () => {
    const cacheDir = join(dir.dir, 'cache')
    const barrier = join(dir.dir, 'barrier')
    mkdirSync(barrier)
    const start = (role: string) =>
      execa(process.execPath, ['--conditions=bonbench-source', '--import', 'tsx', '--input-type=module', '-e', racer, cacheDir, barrier, role], {
        cwd: repoRoot,
        reject: false,
      })
    const results = await Promise.all([start('first'), start('second')])
    for (const r of results) expect(r.exitCode, r.stderr).toBe(0)
    const [a, b] = results.map((r) => JSON.parse(r.stdout) as { cached: boolean; key: string; hash: string })
    // Both pretrained: neither found the other's entry before saving.
    expect([a!.cached, b!.cached]).toEqual([false, false])
    expect(b).toEqual(a)
    // One entry, the first writer's, never replaced (a reader loading it is never cut off); no temporary folder left.
    expect(readdirSync(join(cacheDir, 'models'))).toEqual([a!.key])
    const entry = join(cacheDir, 'models', a!.key)
    expect(readdirSync(entry).filter((f) => f.startsWith('writer-'))).toEqual(['writer-first'])
    expect(existsSync(join(entry, '.complete'))).toBe(true)
    const task = toy({ prompts: 12 })
    const data = await task.load({ seed: 5 })
    const model = tabular({ optimizer: 'adam', learningRate: 0.2 })
    const again = await prepareBaseModel({ model, task, data, taskSeed: 5, pretrainSteps: 6, pretrainBatch: 3, backend: 'js', concurrency: 1, cacheDir })
    expect(again.cached).toBe(true)
    expect(again.model.describe().hash).toBe(a!.hash)
  }, 60_000)
})

describe('publishDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'bonbench-publish-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const folder = (name: string, files: Record<string, string>) => {
    const path = join(root, name)
    mkdirSync(path, { recursive: true })
    for (const [file, text] of Object.entries(files)) writeFileSync(join(path, file), text)
    return path
  }
  const complete = (d: string) => existsSync(join(d, 'done'))

  it('a cache entry: keeps a complete one already there and discards the new one; replaces an incomplete leftover', () => {
    const target = folder('entry', { done: '', weights: 'first' })
    const late = folder('late', { done: '', weights: 'second' })
    expect(publishDir(late, target, { keepExisting: true, isComplete: complete })).toBe(false)
    expect(readdirSync(target).sort()).toEqual(['done', 'weights'])
    expect(existsSync(late)).toBe(false)
    const torn = folder('torn', { weights: 'half' })
    const fresh = folder('fresh', { done: '', weights: 'whole' })
    expect(publishDir(fresh, torn, { keepExisting: true, isComplete: complete })).toBe(true)
    expect(readdirSync(torn).sort()).toEqual(['done', 'weights'])
    expect(readdirSync(root).sort()).toEqual(['entry', 'torn'])
  })

  it('a checkpoint: replaces what is there, and creates the parent folder', () => {
    const target = folder('ckpt', { a: '1', stale: 'x' })
    expect(publishDir(folder('new', { a: '2' }), target, { keepExisting: false })).toBe(true)
    expect(readdirSync(target)).toEqual(['a'])
    expect(publishDir(folder('other', { b: '' }), join(root, 'deep', 'er', 'ckpt'), { keepExisting: false })).toBe(true)
    expect(readdirSync(join(root, 'deep', 'er', 'ckpt'))).toEqual(['b'])
  })
})
