import type { Phase } from '../../core/events.js'

/** The colour each phase is drawn in, so a glance down the rows shows where the run stands. */
export const phaseColor: Readonly<Record<Phase, string>> = {
  pretrain: 'magenta',
  prepare: 'blue',
  train: 'yellow',
  sample: 'cyan',
  verify: 'green',
  metrics: 'white',
}
