import { describe, expect, it } from 'vitest'
import { resolveConfig } from '../../../core/config/resolve-config.js'
import { formatConfigIssues, userConfigSchema } from '../../../core/config/schema.js'

describe('eval.selectionRules in a config', () => {
  it('accepts rule names and [name, options] pairs, and keeps them as written in the resolved config', () => {
    const fileConfig = { matrix: { task: 'toy' }, eval: { selectionRules: ['weighted-majority', ['rbon-wd', { beta: 0.5, cost: 'text' }]] } }
    expect(userConfigSchema.safeParse(fileConfig).success).toBe(true)
    const config = resolveConfig({ cwd: '/tmp', fileConfig: fileConfig as never })
    expect(config.eval.selectionRules).toEqual(fileConfig.eval.selectionRules)
    expect(resolveConfig({ cwd: '/tmp', fileConfig: { matrix: { task: 'toy' } } }).eval.selectionRules).toBeUndefined()
  })

  it('refuses an unknown rule by schema, naming the valid ones', () => {
    const parsed = userConfigSchema.safeParse({ eval: { selectionRules: ['best-of-n'] } })
    expect(parsed.success).toBe(false)
    expect(formatConfigIssues(parsed.error!)).toMatch(/eval\.selectionRules\.0: .*argmax, majority, weighted-majority, rbon-kl, rbon-wd, srbon-kl/)
  })

  it('refuses bad rule options when the config is resolved, before any work', () => {
    expect(() => resolveConfig({ cwd: '/tmp', fileConfig: { matrix: { task: 'toy' }, eval: { selectionRules: [['rbon-kl', { beta: 0 }]] } } })).toThrow(
      expect.objectContaining({
        code: 'BENCH_CONFIG_INVALID',
        message: expect.stringMatching(/eval\.selectionRules\[0\] \(rbon-kl\): invalid options: beta: must be a number > 0/),
      }),
    )
  })
})
