import { selectionLabel } from '../core/run/provenance.js'
import type { Results, ResultsGroup } from './results-schema.js'

/**
 * A group's label for the strategy column of report tables, with the judge that picks its BoN
 * picks as recorded in `provenance.strategies`: "bon-rlb N'=4 (picks by R)". Groups of the base
 * model, strategies without picks and strategies that declare no judge keep their plain label.
 */
export function labelWithSelection(results: Results, group: ResultsGroup): string {
  const recorded = results.provenance.strategies.find((s) => s.name === group.key.strategy)
  const judge = selectionLabel(recorded?.selection)
  return judge ? `${group.label} (${judge})` : group.label
}
