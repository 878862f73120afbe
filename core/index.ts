/**
 * bonbench's public API: plugin types and helpers, config, metrics, events, errors.
 * Plugins import from here (`import { defineModel } from 'bonbench'`), never from core internals.
 */
export * from './plugin-api/index.js'
/**
 * zod, the schema library of plugin options (`defineVerifier({ options: z.strictObject({…}) })`):
 * the same copy bonbench validates and describes with, so `.describe()` texts reach `bench list`.
 */
export { z } from 'zod'
export type * from './events.js'
export { BenchError, isBenchError, type BenchErrorCode } from './errors.js'
export { stripBom, utf16Sign } from './text-encoding.js'
export { gunzipFailure, isZlibError } from './gzip-failure.js'
export { createRng, deriveSeed } from './rng.js'
export { ConcurrencyBudget, getBudget } from './concurrency.js'
export { yieldToEventLoop } from './run/yield-event-loop.js'

// TensorFlow.js backends, for plugins that build tensors (a model, a learned verifier): one
// backend per thread, chosen by `--backend`. TensorFlow.js itself loads on the first selectBackend().
export { BACKEND_NAMES, type BackendName } from './backend/backend-catalog.js'
export { selectBackend, currentBackend, type SelectedBackend } from './backend/select-backend.js'

// Text for reporters: the cell labels, numbers and tables the CLI's own reporters print.
export { cellLabel, varyingAxes, type VaryingAxes } from './summary/cell-label.js'
export { formatCount, formatDuration, formatEstimate, formatPercent, formatRate, formatValue } from './summary/units.js'
export { formatHeadline } from './summary/headline.js'
export { formatSummaryTable, summarizeResults, type SummaryFormatOptions, type SummaryRow, type SummaryTable } from './summary/summary-table.js'
export { resumeHint } from './summary/resume-hint.js'
export { defineConfig } from './config/types.js'
export type { UserConfig, ConfigEnv, ConfigExport, MatrixConfig, TrainConfig, EvalConfig, PluginRef } from './config/types.js'
export type { ResolvedConfig } from './config/resolve-config.js'
export { PluginRegistry, type PluginRegistryOptions } from './registry/registry.js'
// Not the registry's PluginFactory: the kit's (plugin-api) is the public one, so a plugin package
// built with `declaration: true` can name the type of `defineVerifier(…)` (else TS2742).
export type { BuiltinPlugin, BuiltinPlugins } from './registry/builtin-plugins.js'
export { validatePlugin } from './registry/validate-plugin.js'
export type { RunMatrixOptions, RunOutcome } from './run/run-matrix.js'
export type { RunSetup, SetupRunOptions } from './run/setup.js'
// Loaded on first call: they pull in half of core, which importing the kit does not need.
export { loadPluginRef, prepareRerun, runMatrix, setupRun } from './run-entry-points.js'
export { planCells, type PlannedCell } from './run/planner.js'
export { readJournal } from './run/journal.js'
export type { JournalRecord, RunManifest } from './run/journal-types.js'
export type { Provenance } from './run/provenance.js'
export type { RerunOptions, RerunPlan } from './run/rerun.js'
export { diffRunResults, type RunDiff } from './run/rerun-diff.js'
export { computeCellMetrics } from './eval/cell-metrics.js'
export { lambdaFor } from './train/lambda.js'
export * as metrics from './metrics/index.js'
export { readSampleDump } from './metrics/sample-dump.js'
export type { SampleDump, DumpProblem, DumpSample, RecordedSample } from './metrics/sample-dump.js'
export { passAtK, passAtKCurve, bestOfN, majorityAtK, distinctAtK, bootstrapCI, pairedBootstrap, holm } from './metrics/index.js'
