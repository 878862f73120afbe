/**
 * The one model of a results table (the end-of-run table, report.md's metric tables): rows of
 * systems, columns of metrics at N, each entry a value with its CI when there is one. Built once
 * from results; the terminal (format-table-text.ts) and Markdown (reports/markdown.ts) only lay it out.
 */

/**
 * A metric a column shows; `pass1` has no N of its own. `rule` is a selection rule's curve
 * (a row per system and rule, in a one-metric table: see {@link selectionRows}).
 */
export type TableMetric = 'pass1' | 'passAtN' | 'bestOfN' | 'majorityAtN' | 'rule'

/** One entry: a proportion in [0, 1] and, when known, its confidence interval. */
export interface TableValue {
  value: number
  ci?: readonly [number, number]
}

/** A column: a metric at one N, with its header (`pass@4`, `Bo-4`, or `N=4` in a one-metric table). */
export interface TableColumn {
  metric: TableMetric
  n: number
  header: string
}

/** A row: a system (a cell, or a group pooled over seeds) and its values, aligned with the columns. */
export interface TableRow {
  label: string
  /** Seeds (cells) the row stands for. */
  seeds: number
  /** `undefined` where the row has no value for a column (its grid lacks that N). */
  values: Array<TableValue | undefined>
}

/** A results table as data. */
export interface ResultsTable {
  /** Header of the label column (`strategy`, or the metric of a one-metric table). */
  title: string
  columns: TableColumn[]
  rows: TableRow[]
}

/**
 * What a row is built from: the metrics of a cell or of a seed-pooled group, aligned with its grid.
 * A results.json group (`ResultsGroup`, seeds counted) has this shape.
 */
export interface TableSource {
  label: string
  seeds: number
  grid: readonly number[]
  pass1?: TableValue
  passAtN: ReadonlyArray<TableValue | undefined>
  bestOfN: ReadonlyArray<TableValue | undefined>
  majorityAtN?: ReadonlyArray<TableValue | undefined>
  /** The curve of the row's selection rule (rows made by {@link selectionRows}). */
  rule?: ReadonlyArray<TableValue | undefined>
}

const prefixes: Record<Exclude<TableMetric, 'pass1'>, string> = { passAtN: 'pass@', bestOfN: 'Bo-', majorityAtN: 'maj@', rule: 'N=' }

/** A system's selection rules as {@link selectionRows} reads them: each rule's label and values (or why it has none). */
export interface SelectionSource {
  label: string
  seeds: number
  grid: readonly number[]
  bestOfN: ReadonlyArray<TableValue | undefined>
  majorityAtN?: ReadonlyArray<TableValue | undefined>
  selection?: ReadonlyArray<{ label: string; values?: ReadonlyArray<TableValue | undefined>; absent?: string }>
}

/**
 * The sources of a selection-rule table (one metric, columns `N=…`): for each system, a row per
 * rule — Bo-N, maj@N, then each extra rule (`eval.selectionRules`) — labelled `system · rule`.
 * A rule without values (absent) gets a row of blanks. Empty when no system has extra rules.
 */
export function selectionRows(systems: readonly SelectionSource[]): TableSource[] {
  if (!systems.some((s) => s.selection && s.selection.length > 0)) return []
  return systems.flatMap((s) => {
    const row = (rule: string, values: ReadonlyArray<TableValue | undefined> | undefined): TableSource => ({
      label: `${s.label} · ${rule}`,
      seeds: s.seeds,
      grid: s.grid,
      passAtN: [],
      bestOfN: [],
      rule: values ?? [],
    })
    return [row('Bo-N', s.bestOfN), row('maj@N', s.majorityAtN), ...(s.selection ?? []).map((r) => row(r.label, r.values))]
  })
}

/**
 * The columns of `metrics` over `grid`, metric by metric: `pass@1` once, then `pass@N`, `Bo-N` or
 * `maj@N` per N. `headers: 'n'` names the columns `N=4` (a table that shows one metric).
 */
export function metricColumns(metrics: readonly TableMetric[], grid: readonly number[], options: { headers?: 'metric' | 'n' } = {}): TableColumn[] {
  return metrics.flatMap((metric): TableColumn[] => {
    if (metric === 'pass1') return [{ metric, n: 1, header: 'pass@1' }]
    return grid.map((n) => ({ metric, n, header: options.headers === 'n' ? `N=${n}` : `${prefixes[metric]}${n}` }))
  })
}

/** The value of one column for a source: `pass1`, or the metric at the column's N of its grid. */
function valueOf(source: TableSource, column: TableColumn): TableValue | undefined {
  if (column.metric === 'pass1') return source.pass1
  const at = source.grid.indexOf(column.n)
  return at < 0 ? undefined : source[column.metric]?.[at]
}

/** Builds the table: one row per source, in the order given (callers put the base first). Pure. */
export function resultsTable(sources: readonly TableSource[], columns: readonly TableColumn[], title = 'strategy'): ResultsTable {
  return {
    title,
    columns: [...columns],
    rows: sources.map((s) => ({ label: s.label, seeds: s.seeds, values: columns.map((c) => valueOf(s, c)) })),
  }
}
