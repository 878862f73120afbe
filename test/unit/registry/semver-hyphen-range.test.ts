import { describe, expect, it } from 'vitest'
import { checkApiVersion } from '../../../core/registry/api-version.js'
import { isValidRange, satisfies } from '../../../core/registry/semver-range.js'

describe('hyphen ranges (npm: `A - B` is >=A <=B)', () => {
  it.each([
    ['0.1.0', '0.1.0 - 0.2.0', true],
    ['0.2.0', '0.1.0 - 0.2.0', true],
    ['0.2.1', '0.1.0 - 0.2.0', false],
    ['0.0.9', '0.1.0 - 0.2.0', false],
    // A partial lower end is filled with zeros; a partial upper end takes its whole span.
    ['1.2.0', '1.2 - 2.3.4', true],
    ['1.1.9', '1.2 - 2.3.4', false],
    ['2.3.9', '1.2.3 - 2.3', true],
    ['2.4.0', '1.2.3 - 2.3', false],
    ['2.9.9', '1.2.3 - 2', true],
    ['3.0.0', '1.2.3 - 2', false],
    ['0.5.0', 'v0.1.0 - =0.5.0', true],
    ['0.3.0', '0.1.0 - 0.2.0 || ^0.3.0', true],
    ['0.2.5', '0.1.0 - 0.2.0 || ^0.3.0', false],
  ])('%s satisfies %s: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected)
  })

  it('needs spaces around the hyphen and a version on each side', () => {
    for (const range of ['0.1.0 - 0.2.0', '0.1 - 0.2', '1.2.3 - 2.x']) expect(isValidRange(range)).toBe(true)
    for (const range of ['0.1.0 -', '- 0.2.0', '0.1.0 - 0.2.0 - 0.3.0', '0.1.0 - latest']) expect(isValidRange(range)).toBe(false)
  })

  it('meta.apiVersion may be one (valid in peerDependencies)', () => {
    expect(() => checkApiVersion({ name: 'my-lab/api14', meta: { apiVersion: '0.1.0 - 0.2.0' } }, 'inline', '0.1.0')).not.toThrow()
    expect(() => checkApiVersion({ name: 'my-lab/api14', meta: { apiVersion: '0.2.0 - 0.3.0' } }, 'inline', '0.1.0')).toThrow(
      expect.objectContaining({ code: 'BENCH_PLUGIN_API_VERSION' }),
    )
  })
})
