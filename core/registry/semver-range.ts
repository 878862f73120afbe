/**
 * A small semver range check, enough for `meta.apiVersion`: exact versions (`1.2.3`, `=1.2.3`),
 * comparators (`>=1.2.0`, `>1`, `<2.0.0`, `<=1.4`), caret (`^0.1.0`, `^1.2`), tilde (`~1.2.3`),
 * wildcards (`*`, `x`, `1.x`, `1.2.*`, `1`, `1.2`), hyphen ranges (`0.1.0 - 0.2.0`, both ends
 * included; a partial upper end takes its whole span: `1.2.3 - 2.3` is `>=1.2.3 <2.4.0`),
 * space-separated conjunctions (`>=1.2.0 <2.0.0`) and `||` alternatives, with npm's meaning (a caret keeps the first non-zero
 * part: `^0.1.0` is `>=0.1.0 <0.2.0`). Pre-release tags are ignored on both sides (`1.0.0-rc.1`
 * counts as 1.0.0). npm's `semver` is the reference; this avoids a dependency for one check.
 */

type Triple = [number, number, number]

interface Comparator {
  op: '<' | '<=' | '>' | '>=' | '='
  version: Triple
}

const PART = String.raw`(?:0|[1-9]\d*|[xX*])`
const PARTIAL = new RegExp(String.raw`^v?(${PART})(?:\.(${PART})(?:\.(${PART}))?)?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)

/** True when `version` (e.g. `0.1.0`) satisfies `range`; throws a plain Error for a range it cannot read. */
export function satisfies(version: string, range: string): boolean {
  const v = parseVersion(version)
  return parseRange(range).some((set) => set.every((c) => test(v, c)))
}

/** Whether a range string is one this module reads. */
export function isValidRange(range: string): boolean {
  try {
    parseRange(range)
    return true
  } catch {
    return false
  }
}

/** A full version `x.y.z` (pre-release and build tags dropped). */
export function parseVersion(version: string): Triple {
  const m = PARTIAL.exec(version.trim())
  const parts = m ? [m[1], m[2], m[3]] : []
  if (!m || parts.some((p) => p === undefined || /[xX*]/.test(p))) throw new Error(`'${version}' is not a version (x.y.z)`)
  return parts.map(Number) as Triple
}

function parseRange(range: string): Comparator[][] {
  const sets = range.split('||').map((s) => s.trim())
  return sets.map((set) => {
    if (set === '') return [] // '' and '*' match everything, as in npm
    // `A - B` (spaces around the hyphen) is the whole set, as in npm: >=A <=B.
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(set)
    if (hyphen) return [...comparators(`>=${hyphen[1]!.replace(/^=/, '')}`, range), ...comparators(`<=${hyphen[2]!.replace(/^=/, '')}`, range)]
    const tokens = set.replace(/(<=|>=|[<>=^~])\s+/g, '$1').split(/\s+/)
    return tokens.flatMap((token) => comparators(token, range))
  })
}

function comparators(token: string, range: string): Comparator[] {
  const [, op = '', rest = ''] = /^(<=|>=|<|>|=|\^|~)?(.*)$/.exec(token) ?? []
  const m = PARTIAL.exec(rest)
  if (!m) throw new Error(`'${range}' is not a semver range (could not read '${token}')`)
  const parts = [m[1], m[2], m[3]].map((p) => (p === undefined || /[xX*]/.test(p) ? undefined : Number(p)))
  const known = parts.findIndex((p) => p === undefined)
  const given = known === -1 ? 3 : known // how many leading parts are numbers
  const [major = 0, minor = 0, patch = 0] = parts
  const low: Triple = [major, minor, patch]
  const bump = (at: number): Triple => (at === 0 ? [major + 1, 0, 0] : at === 1 ? [major, minor + 1, 0] : [major, minor, patch + 1])
  if (given === 0) return op === '<' || op === '>' ? [{ op: '<', version: [0, 0, 0] }] : []
  switch (op) {
    case '^': {
      // The first non-zero part is fixed (among the parts given).
      const at = major !== 0 || given === 1 ? 0 : minor !== 0 || given === 2 ? 1 : 2
      return [
        { op: '>=', version: low },
        { op: '<', version: bump(at) },
      ]
    }
    case '~':
      return [
        { op: '>=', version: low },
        { op: '<', version: bump(given === 1 ? 0 : 1) },
      ]
    case '>':
      return [given === 3 ? { op: '>', version: low } : { op: '>=', version: bump(given - 1) }]
    case '>=':
      return [{ op: '>=', version: low }]
    case '<':
      return [{ op: '<', version: low }]
    case '<=':
      return [given === 3 ? { op: '<=', version: low } : { op: '<', version: bump(given - 1) }]
    default:
      return given === 3
        ? [{ op: '=', version: low }]
        : [
            { op: '>=', version: low },
            { op: '<', version: bump(given - 1) },
          ]
  }
}

function test(v: Triple, c: Comparator): boolean {
  const d = compare(v, c.version)
  switch (c.op) {
    case '<':
      return d < 0
    case '<=':
      return d <= 0
    case '>':
      return d > 0
    case '>=':
      return d >= 0
    default:
      return d === 0
  }
}

function compare(a: Triple, b: Triple): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2]
}
