import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { PluginBase, PluginSetupContext } from '../plugin-api/common.js'
import { within, type ContractCollector } from './contract-report.js'

/**
 * The plugin lifecycle (core/plugin-api/common.ts) as a contract tester sees it: `start` calls
 * `setup` the way a run does (check `lifecycle-setup`), before the kind's own checks; `end` calls
 * `dispose` after them (check `lifecycle-dispose`: it resolves, and a second call is harmless),
 * then `setup` → `probe` → `dispose` once more (check `lifecycle-reuse`: one plugin object may
 * serve several runs, so a plugin must work again after a new setup). A plugin with neither hook
 * has these checks skipped. Never throws for a broken plugin; failures are problems of the report.
 */
export class LifecycleHarness {
  readonly #plugin: PluginBase
  readonly #collector: ContractCollector
  readonly #timeoutMs: number
  #cacheDir: string | undefined
  #setupFailed = false

  constructor(plugin: PluginBase, collector: ContractCollector, timeoutMs: number) {
    this.#plugin = plugin
    this.#collector = collector
    this.#timeoutMs = timeoutMs
  }

  get #hasLifecycle(): boolean {
    return typeof this.#plugin.setup === 'function' || typeof this.#plugin.dispose === 'function'
  }

  async #context(): Promise<PluginSetupContext> {
    this.#cacheDir ??= await mkdtemp(path.join(tmpdir(), 'bonbench-lifecycle-contract-'))
    return { cacheDir: this.#cacheDir, log: () => {} }
  }

  /** Sets the plugin up as a run would; false when setup failed (the kind's checks cannot run). */
  async start(): Promise<boolean> {
    if (!this.#hasLifecycle) {
      for (const check of ['lifecycle-setup', 'lifecycle-dispose', 'lifecycle-reuse'])
        this.#collector.skip(check, 'the plugin has neither setup() nor dispose()')
      return true
    }
    if (typeof this.#plugin.setup !== 'function') {
      this.#collector.skip('lifecycle-setup', 'the plugin has no setup()')
      return true
    }
    const ok = await this.#collector.run('lifecycle-setup', async () => {
      await within(this.#timeoutMs, 'setup()', this.#plugin.setup!(await this.#context()))
    })
    this.#setupFailed = !ok
    return ok
  }

  /** Disposes the plugin (twice), then checks that a new setup makes it usable again (`probe`). */
  async end(probe?: () => Promise<void>): Promise<void> {
    try {
      if (!this.#hasLifecycle) return
      const dispose = async (what: string) => {
        if (typeof this.#plugin.dispose === 'function') await within(this.#timeoutMs, what, this.#plugin.dispose())
      }
      const disposed = await this.#collector.run('lifecycle-dispose', async (fail) => {
        try {
          await dispose('dispose()')
        } catch (error) {
          return fail(`dispose() after setup threw ${(error as Error)?.message ?? String(error)}: it must free what the plugin holds without throwing`)
        }
        try {
          await dispose('dispose() (second call)')
        } catch (error) {
          fail(`a second dispose() threw ${(error as Error)?.message ?? String(error)}: dispose must be safe to call twice`)
        }
      })
      if (!disposed) return this.#collector.skip('lifecycle-reuse', 'dispose() failed')
      if (this.#setupFailed) return this.#collector.skip('lifecycle-reuse', 'setup() failed')
      await this.#collector.run('lifecycle-reuse', async (fail) => {
        try {
          if (typeof this.#plugin.setup === 'function') await within(this.#timeoutMs, 'setup() after dispose()', this.#plugin.setup(await this.#context()))
          await probe?.()
        } catch (error) {
          fail(
            `after dispose(), a new setup()${probe ? ' and a call' : ''} failed (${(error as Error)?.message ?? String(error)}): one plugin object may serve several runs, so dispose must leave it able to start again`,
          )
        } finally {
          await dispose('dispose() after reuse').catch(() => {})
        }
      })
    } finally {
      if (this.#cacheDir) await rm(this.#cacheDir, { recursive: true, force: true })
    }
  }
}
