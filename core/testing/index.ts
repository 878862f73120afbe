/**
 * bonbench's plugin contract testers, for plugin authors' tests (import from 'bonbench/testing').
 * One tester per plugin kind; each returns a ContractReport (empty `problems` = the plugin keeps
 * its contract) and never depends on a test runner — `assertContract(report)` throws a plain
 * Error listing the problems, which fails a test in Vitest, Jest, node:test or mocha alike.
 * Every tester also checks the plugin lifecycle (`setup`/`dispose`, core/plugin-api/common.ts):
 * checks `lifecycle-setup`, `lifecycle-dispose` (safe to call twice) and `lifecycle-reuse`.
 */
export { assertContract, formatContractReport, type ContractProblem, type ContractReport } from './contract-report.js'
export { checkModelContract, type ModelContractOptions } from './model-contract.js'
export { checkVerifierContract, type VerifierCase, type VerdictExpectation, type VerifierContractOptions } from './verifier-contract.js'
export { checkTaskContract, type TaskContractOptions } from './task-contract.js'
export { checkStrategyContract, type StrategyContractOptions } from './strategy-contract.js'
export { checkReporterContract, type ReporterContractOptions } from './reporter-contract.js'
export { garbageCompletions } from './garbage-completions.js'
export { groupScenarios, scoredGroup, type GroupScenario } from './scored-groups.js'
export { sampleRunEvents } from './sample-events.js'
export { LifecycleHarness } from './lifecycle-checks.js'
