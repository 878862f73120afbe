import type { ResultsChart, ResultsGroup } from './results-schema.js'

/** The groups with a frontier, per (task, model, T), in first-seen order; the headline N is the largest N they share. */
export function frontierContexts(groups: readonly ResultsGroup[]): Array<{ title: string; groups: ResultsGroup[]; n: number }> {
  const byKey = new Map<string, ResultsGroup[]>()
  for (const g of groups) {
    if (!g.frontier || g.frontier.length === 0) continue
    const id = `${g.key.task} · ${g.key.model} · T=${g.key.temperature}`
    if (!byKey.has(id)) byKey.set(id, [])
    byKey.get(id)!.push(g)
  }
  return [...byKey].map(([title, members]) => {
    const grid = members[0]!.grid.filter((n) => members.every((g) => g.grid.includes(n)))
    return { title, groups: members, n: grid.length > 0 ? Math.max(...grid) : 1 }
  })
}

/**
 * The frontier charts of results.json: per (task, model, T), pass@N and Bo-N at the headline N
 * (the largest N every group reports) against KL(π‖π_base) per token, one line per arm through its
 * checkpoints in step order, starting at the base model's own point (KL 0) where the base was
 * evaluated in the same context. Points without a measured KL are left out.
 */
export function buildFrontierCharts(groups: readonly ResultsGroup[]): ResultsChart[] {
  const charts: ResultsChart[] = []
  frontierContexts(groups).forEach(({ title, groups: members, n }, index) => {
    const base = members.find((g) => g.key.strategy === 'base')
    for (const metric of ['passAtN', 'bestOfN'] as const) {
      const name = metric === 'passAtN' ? `pass@${n}` : `Bo-${n}`
      const pointsOf = (g: ResultsGroup, label: (step: number) => string) => {
        const at = g.grid.indexOf(n)
        return (g.frontier ?? [])
          .filter((p) => p.kl !== null)
          .map((p) => ({ x: p.kl!.value, y: p[metric][at]!.value, low: p[metric][at]!.ci[0], high: p[metric][at]!.ci[1], label: label(p.step) }))
      }
      const start = base ? pointsOf(base, () => 'base') : []
      const series = members
        .filter((g) => g.key.strategy !== 'base')
        .map((g) => ({ label: g.label, source: g.groupId, style: 'line' as const, points: [...start, ...pointsOf(g, (step) => `step ${step}`)] }))
      if (base && start.length > 0) series.unshift({ label: base.label, source: base.groupId, style: 'line' as const, points: start })
      if (series.every((s) => s.points.length === 0)) continue
      charts.push({
        id: `frontier-${metric === 'passAtN' ? 'pass' : 'bon'}-${index}`,
        kind: 'frontier',
        title: `${name} against KL(π‖π_base) — ${title}`,
        xLabel: 'KL(π‖π_base) per token (nats)',
        yLabel: name,
        xScale: 'linear',
        series,
      })
    }
  })
  return charts
}
