import type { KlEstimate } from '../plugin-api/divergence.js'

/** A KL value in nats with three significant figures (`0.0123`, `-0.000120`); `—` when not finite. */
export function formatKlValue(v: number): string {
  if (!Number.isFinite(v)) return '—'
  if (v === 0) return '0'
  return v.toPrecision(3)
}

/**
 * A KL estimate as one short phrase for the terminal and logs: `KL/token 0.0123 [0.0101, 0.0145]`,
 * or `KL absent (why)`. Pure.
 */
export function formatKl(kl: KlEstimate | undefined): string {
  if (!kl) return 'KL not measured'
  if (kl.state === 'absent') return `KL absent (${kl.reason})`
  return `KL/token ${formatKlValue(kl.perToken)} [${formatKlValue(kl.ci[0])}, ${formatKlValue(kl.ci[1])}]`
}
