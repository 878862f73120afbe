import { BenchError } from '../../core/errors.js'
import type { ArmData } from '../findings/arms.js'
import { armMatrix, indexArms, seedMean, sharedPromptIds } from '../findings/arms.js'
import { table } from '../findings/render.js'
import { pct, pp, ppInterval, temperature as temperatureText } from '../findings/format.js'
import type { DescriptiveDiff } from '../findings/run-checks.js'
import { describeDiff } from '../findings/run-checks.js'
import { isBonAware } from '../findings/strategy-targets.js'
import type { Results } from '../results-schema.js'
import type { Placed } from './select.js'
import { placeAtBestCheckpoint } from './select.js'
import type { ArmV2, TargetMetric } from './trajectories.js'
import { indexArmsV2 } from './trajectories.js'

/**
 * Study v2's oracle control (issue 13, item 5): the same BoN-aware arm trained and selected with
 * the oracle verifier (the environment reward R) in a second run, beside the main run's arm trained
 * and selected with the learned verifier r. Each arm sits at its best checkpoint chosen on
 * validation, as in the main document, and its gain over the base of its own run is measured on
 * the same test prompts: a Bo-N gain under r that the oracle arm shows too comes from training, not
 * from what the learned verifier happens to prefer. Descriptive: outside the Holm family.
 */

/** One run's side of the control: its arm at the best checkpoint and its gains over the base. */
export interface ControlSide {
  /** `learned` for the main run, `oracle` for the control run. */
  role: 'learned' | 'oracle'
  /** The verifier BoN ranks by in that run (results' provenance.judges.selector). */
  selector: string
  runId: string
  placed: Placed
  rows: Array<{ target: TargetMetric; base: number; trained: number; gain: DescriptiveDiff }>
}

/** The control's comparison of one arm (a strategy at one N′ and T). */
export interface ControlPair {
  strategy: string
  nTrain: number
  temperature: number
  sides: ControlSide[]
}

export interface OracleControl {
  pairs: ControlPair[]
  /** Control arms without a counterpart in the main run, or that could not be placed, with why. */
  unmatched: string[]
  /** Test prompts both runs' bases share at T: the prompts every gain is measured on. */
  prompts: number
  resamples: number
  level: number
}

export interface OracleControlOptions {
  temperature: number
  seed: number
  resamples: number
  level: number
  /** The control results' file as the command was given it (named in errors; else its run id is). */
  source?: string
}

function baseAt(results: Results, temperature: number): ArmData | undefined {
  return indexArms(results, { variants: true }).find((a) => a.strategy === 'base' && a.temperature === temperature)
}

function targets(nTrain: number, grid: readonly number[]): TargetMetric[] {
  const nMax = Math.max(...grid)
  const ns = [...new Set([nTrain, nMax])].filter((n) => grid.includes(n))
  return [...ns.map((n) => ({ metric: 'bestOfN' as const, n })), ...ns.map((n) => ({ metric: 'passAtN' as const, n }))]
}

function side(role: ControlSide['role'], results: Results, arm: ArmV2, options: OracleControlOptions, testPrompts: ReadonlySet<string>): ControlSide | string {
  const base = baseAt(results, arm.temperature)
  if (!base) return `${arm.label} in run ${results.run.runId}: the run has no base cells at T=${temperatureText(arm.temperature)}`
  const placed = placeAtBestCheckpoint(arm, 'control', ' @best')
  if (!placed) return `${arm.label} in run ${results.run.runId}: no validation metrics at its checkpoints`
  // Both runs' gains on the test prompts they share, so the two sides are measured on the same prompts.
  const promptIds = sharedPromptIds(base, placed.virtual).filter((id) => testPrompts.has(id))
  if (promptIds.length === 0) return `${arm.label} in run ${results.run.runId}: no test prompt shared with the other run`
  const grid = base.grid.filter((n) => placed.virtual.grid.includes(n))
  const rows = targets(arm.nTrain, grid).map((target) => {
    const a = armMatrix(base, target.metric, target.n, promptIds)
    const b = armMatrix(placed.virtual, target.metric, target.n, promptIds)
    const mean = (m: number[][]) => seedMean(m).reduce((s, x) => s + x, 0) / promptIds.length
    const gain = describeDiff(a, b, {
      seed: options.seed,
      label: `control:${role}:${arm.name}:${target.metric}@${target.n}`,
      resamples: options.resamples,
      level: options.level,
    })
    return { target, base: mean(a), trained: mean(b), gain }
  })
  return { role, selector: results.provenance.judges.selector, runId: results.run.runId, placed, rows }
}

/** The test prompt ids of a run's base at T (every seed), or an empty set. */
function basePrompts(results: Results, temperature: number): Set<string> {
  return new Set(baseAt(results, temperature)?.promptIds ?? [])
}

/**
 * What makes a control run the oracle control of this run, checked before anything is measured:
 * another run, whose selector is its own reward verifier (the oracle) while this run's is not, on
 * the same task and model, with test prompts in common. Throws BENCH_USAGE naming the file; returns the test prompts the two share.
 */
function assertIsOracleControl(main: Results, control: Results, options: OracleControlOptions): Set<string> {
  const file = options.source ? `--control ${options.source}` : `the control results (run ${control.run.runId})`
  const fix =
    'pass the results of a run trained and selected with the environment reward (`--verifier <the task’s reward>`, docs/study-v2/study-oracle.config.json), or drop --control'
  const refuse = (what: string) => new BenchError('BENCH_USAGE', `${file}: ${what}; ${fix}`)
  if (control.run.runId === main.run.runId) throw refuse(`it is the main run itself (run ${main.run.runId})`)
  const judges = control.provenance.judges
  if (judges.selector !== judges.reward) throw refuse(`its selector is ${judges.selector}, not its reward verifier ${judges.reward}: it is not an oracle run`)
  if (main.provenance.judges.selector === main.provenance.judges.reward)
    throw refuse(
      `the main run (run ${main.run.runId}) selects with its reward verifier ${main.provenance.judges.reward} too: there is no learned verifier to control`,
    )
  const keyOf = (r: Results) => [...new Set(r.cells.map((c) => `${c.key.task} / ${c.key.model}`))].sort().join(', ')
  if (keyOf(control) !== keyOf(main)) throw refuse(`it is a run of ${keyOf(control)}, the main run of ${keyOf(main)}`)
  const mainPrompts = basePrompts(main, options.temperature)
  const shared = [...basePrompts(control, options.temperature)].filter((id) => mainPrompts.has(id))
  if (shared.length === 0)
    throw refuse(`its base at T=${temperatureText(options.temperature)} shares no test prompt with the main run’s (other prompt ids, or no base)`)
  return new Set(shared)
}

/**
 * Pairs every BoN-aware arm (N′ ≥ 2) of the control run with the main run's arm of the same
 * strategy plugin, N′ and temperature (the plain arm, named as its strategy, when there are
 * several) and measures both at their best checkpoints against their own run's base, on the test
 * prompts the two runs share. Throws BENCH_USAGE when the control is not an oracle control of this
 * run (see assertIsOracleControl) or holds no BoN-aware arm, BENCH_RUN_INVALID when it has no
 * trained arm with checkpoint evaluations. Pure and deterministic.
 */
export function oracleControl(main: Results, control: Results, options: OracleControlOptions): OracleControl {
  const testPrompts = assertIsOracleControl(main, control, options)
  const trained = indexArmsV2(control).filter((a) => a.temperature === options.temperature)
  if (trained.length === 0)
    throw new BenchError(
      'BENCH_RUN_INVALID',
      `the control results (run ${control.run.runId}) hold no trained arm with checkpoint evaluations at T=${temperatureText(options.temperature)}; finish the control run and regenerate its results.json`,
    )
  const controlArms = trained.filter((a) => isBonAware(a.strategy) && a.nTrain > 1)
  if (controlArms.length === 0)
    throw new BenchError(
      'BENCH_USAGE',
      `${options.source ? `--control ${options.source}` : `the control results (run ${control.run.runId})`}: no BoN-aware arm with N′ ≥ 2 at T=${temperatureText(options.temperature)} (it holds ${trained.map((a) => a.label).join(', ')}); the oracle control compares BoN-aware arms — pass the oracle run of one`,
    )
  const mainArms = indexArmsV2(main)
  const pairs: ControlPair[] = []
  const unmatched: string[] = trained
    .filter((a) => !controlArms.includes(a))
    .map((a) => `${a.label}: not a BoN-aware arm with N′ ≥ 2 (the control compares those)`)
  for (const arm of controlArms) {
    const candidates = mainArms.filter((m) => m.strategy === arm.strategy && m.nTrain === arm.nTrain && m.temperature === arm.temperature)
    const counterpart = candidates.find((m) => m.name === arm.strategy) ?? candidates[0]
    if (!counterpart) {
      unmatched.push(`${arm.label}: the main run has no ${arm.strategy} arm at N′=${arm.nTrain}, T=${temperatureText(arm.temperature)}`)
      continue
    }
    const sides = [side('learned', main, counterpart, options, testPrompts), side('oracle', control, arm, options, testPrompts)]
    const failed = sides.filter((s): s is string => typeof s === 'string')
    if (failed.length > 0) {
      unmatched.push(...failed)
      continue
    }
    pairs.push({ strategy: arm.strategy, nTrain: arm.nTrain, temperature: arm.temperature, sides: sides as ControlSide[] })
  }
  return { pairs, unmatched, prompts: testPrompts.size, resamples: options.resamples, level: options.level }
}

const metricName = (t: TargetMetric) => (t.metric === 'bestOfN' ? `Bo-${t.n}` : t.metric === 'passAtN' ? `pass@${t.n}` : 'pass@1')
const excludesZero = (d: DescriptiveDiff) => d.ci[0] > 0 || d.ci[1] < 0

function readingOf(pair: ControlPair): string {
  const [learned, oracle] = pair.sides as [ControlSide, ControlSide]
  const at = (s: ControlSide) => s.rows.find((r) => r.target.metric === 'bestOfN' && r.target.n === pair.nTrain)
  const l = at(learned)
  const o = at(oracle)
  if (!l || !o) return ''
  const sign = (d: DescriptiveDiff) => (!excludesZero(d) ? 'no clear change' : d.diff > 0 ? 'a gain' : 'a loss')
  const words = `At Bo-${pair.nTrain}, ${pair.strategy} trained with ${learned.selector} shows ${sign(l.gain)} over its base (${pp(l.gain.diff)}, CI ${ppInterval(l.gain.ci)}); trained and selected with ${oracle.selector}, ${sign(o.gain)} (${pp(o.gain.diff)}, CI ${ppInterval(o.gain.ci)}).`
  if (excludesZero(l.gain) && l.gain.diff > 0 && excludesZero(o.gain) && o.gain.diff > 0)
    return `${words} Both gain: the training objective, not only the learned verifier, carries the gain.`
  if (excludesZero(l.gain) && l.gain.diff > 0)
    return `${words} Only the learned-verifier arm gains: its gain may come from what that verifier prefers rather than from the objective.`
  if (excludesZero(o.gain) && o.gain.diff > 0)
    return `${words} Only the oracle arm gains: the objective helps when the verifier is right, and the learned verifier is what holds it back.`
  return `${words} Neither gain is clear at this budget.`
}

/** The Markdown section "The oracle control" of docs/results.md v2. Pure. */
export function renderOracleControl(control: OracleControl, source: string): string[] {
  const lines = [
    '## The oracle control',
    '',
    `The same arm trained and selected with the oracle verifier (the environment reward R) in a second run (\`${source}\`), beside this run’s arm trained and selected with the learned verifier. ` +
      `Each sits at its best checkpoint chosen on validation; its gain over the base of its own run is measured on the same test prompts (the ${control.prompts} both runs share; paired two-level bootstrap, ` +
      `${control.resamples} resamples, ${Math.round(100 * control.level)}% percentile intervals). Descriptive: outside the Holm family. With a binary R, Bo-N by R equals pass@N.`,
    '',
  ]
  for (const pair of control.pairs) {
    lines.push(`${pair.strategy} (N′=${pair.nTrain}) at T=${temperatureText(pair.temperature)}:`, '')
    lines.push(
      ...table(
        ['Run', 'Selected by', 'Learning rate', 'Step per seed', 'Metric', 'Base', 'Trained', 'Gain [CI]'],
        pair.sides.flatMap((s) =>
          s.rows.map((r) => [
            `${s.role} (\`${s.runId}\`)`,
            s.selector,
            s.placed.lr === undefined ? '—' : s.placed.lr.toExponential(0),
            s.placed.points.map((q) => q.step).join(', '),
            metricName(r.target),
            pct(r.base),
            pct(r.trained),
            `${pp(r.gain.diff)} ${ppInterval(r.gain.ci)}`,
          ]),
        ),
      ),
      '',
    )
    const reading = readingOf(pair)
    if (reading) lines.push(reading, '')
  }
  for (const u of control.unmatched) lines.push(`- Not compared: ${u}.`)
  if (control.unmatched.length > 0) lines.push('')
  return lines
}
