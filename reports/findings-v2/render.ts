import { frontierSection } from '../frontier-markdown.js'
import { evidenceTable, runSection, table } from '../findings/render.js'
import type { FindingsMeta } from '../findings/render.js'
import { diffText, factText, isCountMetric, pct, pValue, temperature } from '../findings/format.js'
import { paperEffects } from '../findings/power.js'
import type { CheckResult, Finding } from '../findings/types.js'
import { excludesPaperEffect } from '../findings/verdict.js'
import type { Results } from '../results-schema.js'
import type { FindingsReportV2, FindingV2, ModeId, ModeReport } from './evaluate.js'
import { formatKappa, modeName } from './evaluate.js'
import type { OracleControl } from './oracle-control.js'
import { renderOracleControl } from './oracle-control.js'
import type { Placed } from './select.js'
import { placeAtKl, placedMean } from './select.js'
import type { ArmV2, TargetMetric } from './trajectories.js'
import { armReach } from './trajectories.js'

const lrText = (lr: number | undefined) => (lr === undefined ? '—' : lr.toExponential(0).replace('e-', 'e-').replace('e+', 'e'))

function targetName(t: TargetMetric): string {
  return t.metric === 'pass1' ? 'pass@1' : t.metric === 'passAtN' ? `pass@${t.n}` : `Bo-${t.n}`
}

function mdeText(mde: number | null): string {
  return mde === null ? '—' : diffText({ metric: 'passAtN' }, mde).replace('+', '')
}

function summaryTable(report: FindingsReportV2): string[] {
  const modeVerdict = (f: FindingV2, mode: ModeId) => f.perMode[mode]?.verdict ?? (f.single ? '—' : 'not testable here')
  const count = (f: FindingV2) => (f.single ? f.single.evidence.length : Object.values(f.perMode).reduce((s, x) => s + (x?.evidence.length ?? 0), 0))
  return table(
    ['', 'Prediction', 'Verdict', 'At matched KL', 'At the best checkpoint', 'Comparisons'],
    report.findings.map((f) => [f.id, f.title, `**${f.verdict}**`, modeVerdict(f, 'matched-kl'), modeVerdict(f, 'best-checkpoint'), String(count(f))]),
  )
}

function readingSection(report: FindingsReportV2): string[] {
  const d = report.design
  const compared = [...new Set(report.arms.map((a) => a.temperature))].sort((x, y) => x - y)
  const at = (compared.length > 0 ? compared : [d.primaryTemperature]).map((t) => `T=${temperature(t)}`).join(', ')
  return [
    '## How to read this',
    '',
    // KL is estimated from each model's own samples at T = 1 (core/eval/kl-estimate.ts), whatever T the arm trains and is compared at.
    `- **Matched KL.** Every trained arm moves away from the base at its own speed, so arms are compared where they have diverged equally: at κ, the largest KL(π‖π_base) per token that every trained arm reaches (estimated on the test prompts from each model’s own samples at T = 1; the arms are compared at ${at}). ` +
      'Each seed is read where its path (the base at step 0, each checkpoint, the final model) first reaches κ, interpolating every per-prompt metric linearly in KL between the two checkpoints around it; nothing is extrapolated. ' +
      'A learning rate counts only when all its seeds reach κ. Among those, the arm’s learning rate is the one with the highest seed-mean of its own target (below) at κ on the validation split; without validation it is chosen on test, which is flagged and caps the verdict at inconclusive.',
    '- **Best checkpoint.** Each seed of each learning rate stops at the trained checkpoint with the highest target on the validation split (early stopping); the learning rate with the highest seed-mean of those wins. Only the test metrics of the chosen checkpoints are compared. Without a validation split this comparison is skipped, never made on test.',
    '- **Targets** (what an arm is selected on): a BoN-aware arm’s trained-for metric at its N′ (Bo-N′ when it selects or rewards with the learned verifier, pass@N′ when with the environment reward); every other arm pass@1, the metric it trains for.',
    `- Then each prediction is checked exactly as in the single-checkpoint findings (the method of each section), on the arms so placed; the base model is the same in both. Every comparison is b − a of per-prompt metrics, paired over prompts, with the two-level bootstrap (prompts shared by both arms, seeds resampled per arm) of ${d.resamples} resamples, seed ${d.seed}. ` +
      'The matched-KL point is treated as known: the bootstrap does not redraw the KL estimates that placed it.',
    `- All ${d.tests} tested comparisons of this document (both views and P6) form one Holm family at α = ${d.alpha}; intervals are ${Math.round(100 * d.level)}% percentile intervals, unadjusted. ` +
      `MDE = ${d.zHolm.toFixed(3)} × SE (z(1 − α/(2m)) + z(${d.power}), m = ${d.tests}).`,
    '- A view of a prediction holds when all its comparisons support it, does not hold when any is significant against it (or none is significant although each one with a paper effect could have detected it and its interval excludes that effect), and is otherwise inconclusive. ' +
      'The two views combine: the same verdict when they agree or only one could be made; holds against does not hold → inconclusive; does not hold against inconclusive → does not hold; holds against inconclusive → inconclusive.',
    '- Rates are in %, differences in percentage points (pp); KL in nats per token.',
    '',
  ]
}

function candidatesText(p: Placed): string {
  // Scores on test (a point some candidate reaches with no validation on both sides, e.g. next to a base without it) are marked: the column otherwise reads as validation.
  return `${p.candidates.map((c) => `${lrText(c.lr)}: ${pct(c.score)}`).join(', ')}${p.scoredOn === 'test' ? ' (on test)' : ''}`
}

function placementSection(report: FindingsReportV2): string[] {
  const lines = ['## Where each arm is compared', '']
  lines.push('How far each arm gets (the largest KL per token that some learning rate reaches in every seed):', '')
  lines.push(
    ...table(
      ['Arm', 'T', 'Learning rates', 'Largest KL reached'],
      report.reach.map((r) => [
        r.label,
        temperature(r.temperature),
        r.lrs.map(lrText).join(', '),
        Number.isFinite(r.reach) ? formatKappa(r.reach) : 'not measured',
      ]),
    ),
    '',
  )
  for (const m of report.modes) {
    lines.push(`### ${m.mode === 'matched-kl' ? 'At matched KL' : 'At the best checkpoint'}`, '')
    if (m.skipped) {
      lines.push(`Not made. ${m.skipped}`, '')
      continue
    }
    for (const p of m.placements) {
      if (m.mode === 'matched-kl') {
        const limiting = report.reach.filter((r) => r.temperature === p.temperature && p.kappa !== undefined && r.reach === p.kappa).map((r) => r.label)
        lines.push(
          `T=${temperature(p.temperature)}: κ = ${p.kappa === undefined ? '—' : formatKappa(p.kappa)} nats per token${limiting.length > 0 ? ` (set by ${limiting.join(', ')}, the arm that moves least)` : ''}.`,
          '',
        )
        if (p.kappa !== undefined && p.kappaNoise !== undefined && p.kappa <= 2 * p.kappaNoise) {
          lines.push(
            `**κ is within the noise of the KL estimates** (the median half-width of the 95% CIs of ${limiting.join(', ') || 'that arm'}’s KL estimates is ${formatKappa(p.kappaNoise)}; κ is below twice that): the arm that sets it has hardly moved measurably from the base, so the matched comparison compares models near the base and says little about what the objectives buy. Train that arm longer or at a larger learning rate, or leave it out of the study.`,
            '',
          )
        }
      } else lines.push(`T=${temperature(p.temperature)}:`, '')
      if (p.placed.length > 0) {
        lines.push(
          ...table(
            ['Arm', 'Target', 'Learning rate', 'Chosen on', 'Candidates (seed-mean target)', 'Step per seed', m.mode === 'matched-kl' ? 'KL' : 'KL per seed'],
            p.placed.map((x) => [
              x.arm.label,
              targetName(x.target),
              lrText(x.lr),
              x.selectedOn === 'test' ? '**test** (no validation)' : x.selectedOn,
              candidatesText(x),
              x.points.map((q) => q.step).join(', '),
              m.mode === 'matched-kl' ? formatKappa(p.kappa!) : x.points.map((q) => formatKappa(q.kl)).join(', '),
            ]),
          ),
          '',
        )
      }
      for (const u of p.unplaced) lines.push(`- ${u.arm}: not compared — ${u.reason}.`)
      if (p.unplaced.length > 0) lines.push('')
    }
  }
  return lines
}

function findingBody(f: Finding): string[] {
  const lines = [`**How it is checked.** ${f.method}`, '', `**Verdict: ${f.verdict}.** ${f.summary}`, '']
  if (f.evidence.length > 0) lines.push(...evidenceTable(f.evidence), '')
  if (f.facts.length > 0)
    lines.push(
      'Further numbers (descriptive, not tested):',
      '',
      ...table(
        ['Quantity', 'Value'],
        f.facts.map((x) => [x.label, factText(x)]),
      ),
      '',
    )
  for (const note of f.notes) lines.push(`- ${note}`)
  if (f.notes.length > 0) lines.push('')
  return lines
}

function predictionSection(f: FindingV2, modes: readonly ModeReport[]): string[] {
  const claim = f.claim || f.single?.claim || ''
  const lines = [`## ${f.id} — ${f.title}`, '', `**Claim (paper).** ${claim}`, '', `**Verdict: ${f.verdict}** (${f.reason}).`, '']
  if (f.single) return [...lines, ...findingBody(f.single)]
  for (const m of modes) {
    lines.push(`### ${f.id} at ${m.mode === 'matched-kl' ? 'matched KL' : 'the best checkpoint'}`, '')
    const inMode = f.perMode[m.mode]
    if (m.skipped || !inMode) {
      lines.push(`Not made: ${m.skipped ?? 'no arm placed.'}`, '')
      continue
    }
    lines.push(...findingBody(inMode))
  }
  return lines
}

/** KL grid of the interpolated frontier table: fractions of κ, then multiples some arm still reaches. */
function kappaGrid(kappa: number, arms: readonly ArmV2[]): number[] {
  const top = Math.max(...arms.map(armReach))
  return [0.25, 0.5, 0.75, 1, 1.5, 2, 3].map((f) => f * kappa).filter((k, i) => i < 4 || k <= top)
}

function interpolatedFrontier(report: FindingsReportV2): string[] {
  const matched = report.modes.find((m) => m.mode === 'matched-kl')
  if (!matched || matched.skipped) return []
  const lines = [
    '## Frontiers at common KL',
    '',
    'Each arm interpolated at a grid of KL values (fractions and multiples of κ), seed-pooled test means at the learning rate chosen at that KL (as for the matched comparison; in parentheses). “not reached” gives the largest KL the arm reaches: nothing is extrapolated. Descriptive, untested.',
    '',
  ]
  for (const p of matched.placements) {
    if (p.kappa === undefined) continue
    const arms = report.arms.filter((a) => a.temperature === p.temperature)
    const grid = kappaGrid(p.kappa, arms)
    const nMax = Math.max(...report.design.grid)
    for (const target of [
      { metric: 'passAtN', n: nMax },
      { metric: 'bestOfN', n: nMax },
    ] as TargetMetric[]) {
      lines.push(`${targetName(target)} at T=${temperature(p.temperature)}:`, '')
      lines.push(
        ...table(
          ['Arm', ...grid.map((k) => `KL ${formatKappa(k)}`)],
          arms.map((a) => [
            a.label,
            ...grid.map((k) => {
              const placed = placeAtKl(a, k, `grid${k}`, '')
              if (!placed) return `not reached (max ${formatKappa(armReach(a))})`
              return `${pct(placedMean(placed, target))} (${lrText(placed.lr)}${placed.selectedOn === 'test' ? ', chosen on test' : ''})`
            }),
          ]),
        ),
        '',
      )
    }
  }
  return lines
}

function powerSection(report: FindingsReportV2): string[] {
  const d = report.design
  const all: CheckResult[] = report.findings.flatMap((f) => (f.single ? f.single.evidence : Object.values(f.perMode).flatMap((x) => x?.evidence ?? [])))
  const rates = all.filter((c) => c.metric !== 'distinctAtN')
  const lines = [
    '## Power',
    '',
    `- ${d.seeds.length} seed(s) × ${d.prompts} test prompts, ${d.tests} tested comparisons; MDE = ${d.zHolm.toFixed(3)} × SE at the Holm-strictest level (${d.zUnadjusted.toFixed(3)} × SE for one comparison read alone).`,
    `- The paper’s effects used (DESIGN §2.4, Gemma 2B): ${paperEffects.bestOfN.source} (${diffText({ metric: 'bestOfN' }, paperEffects.bestOfN.diff)}) for Bo-N against the base; ${paperEffects.passAtN.source} (${diffText({ metric: 'passAtN' }, paperEffects.passAtN.diff)}) for pass@N against the base; ${paperEffects.passAtNVsRl.source} (${diffText({ metric: 'passAtN' }, paperEffects.passAtNVsRl.diff)}) for pass@N against RL.`,
  ]
  if (rates.length > 0) {
    const withPaper = rates.filter((c) => c.paperEffect !== undefined)
    lines.push(
      `- Comparisons with a paper effect that could detect it (MDE ≤ effect): ${withPaper.filter((c) => c.powered).length} of ${withPaper.length}. The power stated before the run: \`bench findings <pilot results.json> --plan\` (docs/study-v2/ANALYSIS.md).`,
    )
  }
  lines.push('')
  const rows = report.findings.flatMap((f) =>
    f.single
      ? [[f.id, 'base', String(f.single.evidence.length), mdeText(f.single.mde)]]
      : Object.entries(f.perMode).map(([m, x]) => [f.id, modeName(m as ModeId), String(x!.evidence.length), mdeText(x!.mde)]),
  )
  lines.push(...table(['Prediction', 'View', 'Comparisons', 'MDE (largest, rates)'], rows), '')
  return lines
}

/**
 * The two largest differences (by |diff|) of each unit among the checks — rates in pp, then
 * distinct@N in answers — never one list mixing units: `largest: A −10.9 pp; B −4.7 pp; in answers: C −0.30 answers`.
 */
export function largestText(checks: readonly CheckResult[]): string {
  const top = (list: readonly CheckResult[]) =>
    [...list]
      .sort((x, y) => Math.abs(y.diff) - Math.abs(x.diff) || x.label.localeCompare(y.label))
      .slice(0, 2)
      .map((c) => `${c.label} ${diffText(c, c.diff)}`)
      .join('; ')
  const rates = checks.filter((c) => !isCountMetric(c.metric))
  const counts = checks.filter((c) => isCountMetric(c.metric))
  return [
    ...(rates.length > 0 ? [`largest: ${top(rates)}`] : []),
    ...(counts.length > 0 ? [`${rates.length > 0 ? 'largest in answers' : 'largest'}: ${top(counts)}`] : []),
  ].join('; ')
}

function changeClause(f: FindingV2): string {
  const evidence = f.single ? f.single.evidence : Object.values(f.perMode).flatMap((x) => x?.evidence ?? [])
  if (f.verdict === 'not testable here') return 'the run lacks the arms or data it needs; running them would decide it.'
  if (f.single)
    return 'it is judged on the base model alone (fit thresholds and the bootstrap share of replicates in which the best T rises, see its section); more temperatures or prompts would sharpen it.'
  const nulls = evidence.filter((c) => c.outcome === 'null')
  const against = evidence.filter((c) => c.outcome === 'contradicts')
  if (f.verdict === 'holds') {
    const weakest = [...evidence].sort((a, b) => b.pHolm - a.pHolm)[0]
    return weakest
      ? `it rests on every comparison being significant; the weakest is ${weakest.label} (Holm p ${pValue(weakest.pHolm)}, CI ${diffText(weakest, weakest.ci[0])} to ${diffText(weakest, weakest.ci[1])}). A larger family, a choice of learning rate on test, or another κ could move it.`
      : 'it rests on the co-scaling fit alone.'
  }
  if (f.verdict === 'does not hold') {
    if (against.length > 0)
      return `${against.length} comparison(s) are significant against it (${largestText(against)}); only a different regime (model, task, verifier, KL range) could reverse that.`
    return 'no comparison is significant although the design could detect the paper’s effect and every interval excludes it; an effect smaller than the MDE would not be excluded.'
  }
  const under = nulls.filter((c) => c.paperEffect !== undefined && !c.powered)
  const holding = nulls.filter((c) => c.paperEffect !== undefined && c.powered && !excludesPaperEffect(c))
  const largest = nulls.length > 0 ? Math.max(...nulls.map((c) => c.mde)) : null
  return `${nulls.length} comparison(s) are not significant${largest !== null ? ` (MDE up to ${mdeText(largest)})` : ''}${under.length > 0 ? `, ${under.length} of them unable to detect the paper’s effect` : ''}${holding.length > 0 ? `, ${holding.length} of them with the paper’s effect still inside the interval` : ''}; more seeds or prompts (see Power) or agreement between the two views would decide it.`
}

function differencesSection(meta: FindingsMeta, report: FindingsReportV2): string[] {
  const aucs = Object.entries(meta.prepare).flatMap(([name, facts]) =>
    typeof facts.auc === 'number'
      ? [
          `${name} held-out AUC ${(facts.auc as number).toFixed(3)}${Array.isArray(facts.aucCi) ? ` [${(facts.aucCi as number[]).map((x) => x.toFixed(3)).join(', ')}]` : ''}`,
        ]
      : [],
  )
  return [
    '## What differs from the paper, and what would change the verdicts',
    '',
    '- **Scale and model.** The paper fine-tunes Gemma 2B; here a tiny transformer trained from scratch in TensorFlow.js. Effects that need capacity (keeping many distinct correct solutions) may not appear.',
    '- **Task.** The paper uses MATH and HumanEval; here the synthetic `math` task (seeded arithmetic), whose answers are short and whose errors are systematic.',
    `- **Verifier.** The paper’s verifier is a strong learned model; here ${aucs.length > 0 ? aucs.join('; ') : 'the run’s learned verifier (no AUC recorded)'}. Bo-N gains are bounded by how well the verifier ranks, and a learned verifier can be gamed.`,
    `- **Budget.** ${report.design.seeds.length} seed(s), ${report.design.prompts} test prompts, the N grid ${report.design.grid.join(', ')}; the paper trains far longer and evaluates N up to 32.`,
    '- **Divergence.** The paper compares methods after training; here arms are compared at a matched KL (the largest all reach) and at validation-chosen checkpoints. A verdict at κ says nothing about divergences no arm reached.',
    '',
    'What would change each verdict:',
    '',
    ...report.findings.map((f) => `- ${f.id} (${f.verdict}): ${changeClause(f)}`),
    '',
  ]
}

/**
 * The Markdown of docs/results.md for study v2: verdicts per prediction from the matched-KL and
 * best-checkpoint views, where each arm was placed, the evidence with CIs, Holm p and MDE, the
 * frontiers (as results.json has them and interpolated at common KL), the oracle control when a
 * control run is given, power, and what differs from the paper. Pure: the same report and meta give the same bytes.
 */
export function renderFindingsV2(report: FindingsReportV2, meta: FindingsMeta, results: Results, control?: { control: OracleControl; source: string }): string {
  const d = report.design
  const regen = ['npx bench findings', meta.source, ...(meta.out ? ['--out', meta.out] : []), ...(meta.flags ?? [])].join(' ')
  const lines = [
    '# Findings v2: the paper’s predictions at matched divergence',
    '',
    `Generated from \`${meta.source}\` (run \`${meta.run.runId}\`) by \`bench findings\` (study v2); do not edit by hand. Regenerate with \`${regen}\`.`,
    'Each prediction of DESIGN §2.4 is checked twice — with every arm at the same KL from the base, and with every arm at its best checkpoint chosen on a validation split — and judged whatever the answer. The procedure is in docs/study-v2/ANALYSIS.md.',
    '',
    ...summaryTable(report),
    '',
    ...runSection(meta, { design: d as unknown as Parameters<typeof runSection>[1]['design'] }),
    ...readingSection(report),
    ...placementSection(report),
    ...report.findings.flatMap((f) => predictionSection(f, report.modes)),
    ...interpolatedFrontier(report),
    ...frontierSection(results)
      .replace(/^## Divergence frontier/, '## Frontiers as measured')
      .split('\n'),
    ...(control ? renderOracleControl(control.control, control.source) : []),
    ...powerSection(report),
    ...differencesSection(meta, report),
  ]
  if (meta.warnings.length > 0) lines.push('## Warnings from the analysis', '', ...meta.warnings.map((w) => `- ${w}`), '')
  return (
    lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/\n+$/, '') + '\n'
  )
}
