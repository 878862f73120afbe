import type { ReporterPlugin } from '../plugin-api/reporter.js'
import { mountTui, type MountTuiOptions, type TuiHandle } from './mount-tui.js'

/**
 * The live UI as a reporter (`bonbench:tui`): mounts on the first event it receives (so creating
 * it draws nothing), forwards every event, and its `onRunEnd` resolves once the last frame is on
 * screen. For a TTY only: pick it with {@link shouldUseTui}.
 */
export function tuiReporter(options: MountTuiOptions = {}): ReporterPlugin & { handle(): TuiHandle | undefined } {
  let tui: TuiHandle | undefined
  return {
    name: 'bonbench:tui',
    kind: 'reporter',
    meta: { version: '0.1.0', description: 'Live terminal UI (ink) for a run in a terminal' },
    onEvent(event) {
      tui ??= mountTui(options)
      tui.onEvent(event)
    },
    async onRunEnd() {
      await tui?.waitUntilExit()
    },
    handle: () => tui,
  }
}
