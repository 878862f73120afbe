import { describe, expect, it } from 'vitest'
import type { TaskPlugin } from '../../../core/plugin-api/task.js'
import { nearestName } from '../../../core/plugin-name.js'
import { PluginRegistry } from '../../../core/registry/registry.js'
import { resolveRunPlugins } from '../../../core/run/run-plugins.js'
import { builtins } from '../../../cli/builtins.js'
import { toy } from '../../../plugins/tasks/toy/index.js'
import { tempProject, toyRunSetup } from '../../helpers/toy-run.js'

// A typo in a plugin name gets the nearest known name, and a task's verifier that is not found
// names the task and the field (from an outside review: 'math-answr' as a task's rewardVerifier
// said only "No verifier plugin named 'math-answr'", with the whole list to search).
describe('unknown plugin names', () => {
  it('nearestName: the closest by edit distance on bare names, none when far', () => {
    expect(nearestName('math-answr', ['bonbench:toy-answer', 'bonbench:math-answer', 'bonbench:command'])).toBe('bonbench:math-answer')
    expect(nearestName('tabluar', ['bonbench:tabular', 'bonbench:replay'])).toBe('bonbench:tabular')
    expect(nearestName('zzz', ['bonbench:tabular', 'bonbench:replay'])).toBeUndefined()
  })

  it('the registry suggests the nearest name', async () => {
    const registry = new PluginRegistry({ builtins })
    await expect(registry.get('model', 'tabluar')).rejects.toThrow("No model plugin named 'tabluar'. Did you mean 'bonbench:tabular'?")
  })

  it("a task's rewardVerifier that is not found names the task and the field", async () => {
    const project = tempProject()
    try {
      const badTask: TaskPlugin = { ...toy(), name: 'my-lab/bad-task', rewardVerifier: 'math-answr' }
      const { config, registry } = toyRunSetup(project.dir, { plugins: [badTask], config: { matrix: { task: 'my-lab/bad-task' } } })
      const resolved = resolveRunPlugins(config, registry)
      await expect(resolved).rejects.toMatchObject({ code: 'BENCH_PLUGIN_NOT_FOUND' })
      await expect(resolved).rejects.toThrow(
        "Task 'my-lab/bad-task' names 'math-answr' as its rewardVerifier, and it is not found: No verifier plugin named 'math-answr'. Did you mean 'bonbench:math-answer'?",
      )
    } finally {
      project.cleanup()
    }
  })
})
