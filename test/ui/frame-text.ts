// Helpers for reading ink frames in tests: plain text without colour codes.
import { initialRunView, reduceRunView, type RunView } from '../../cli/tui/run-state.js'
import type { TimedEvent } from '../fixtures/tui/run-events.js'

/** Removes ANSI escape sequences, so assertions read what a person sees. */
export function plain(text: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (text ?? '').replace(/\u001B\[[0-9;?]*[ -/]*[@-~]/g, '')
}

/** The lines of a frame, colour codes removed. */
export function lines(text: string | undefined): string[] {
  return plain(text).split('\n')
}

/** Folds `events[0..upto]` into a view the way the mounted UI does. */
export function viewAfter(events: readonly TimedEvent[], upto = events.length - 1): RunView {
  let view = initialRunView()
  for (const { at, event } of events.slice(0, upto + 1)) view = reduceRunView(view, event, at)
  return view
}
