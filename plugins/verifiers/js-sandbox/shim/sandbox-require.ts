import type { AssertModules } from './assert-module.js'
import { ErrorCtor, freeze, StringCtor } from './intrinsics.js'

/** The sandbox's `require`: only the assert modules. */
export type SandboxRequire = (name: unknown) => unknown

/**
 * A frozen `require` that returns the loose module for 'assert' | 'node:assert' and the strict
 * one for 'assert/strict' | 'node:assert/strict'; any other name throws Node's "Cannot find
 * module" error (code MODULE_NOT_FOUND), which the host classifies as a runtime failure.
 */
export function createRequire(assert: AssertModules): SandboxRequire {
  return freeze(function require(name: unknown): unknown {
    const id = StringCtor(name)
    if (id === 'assert' || id === 'node:assert') return assert.loose
    if (id === 'assert/strict' || id === 'node:assert/strict') return assert.strict
    const error = new ErrorCtor("Cannot find module '" + id + "': the sandbox provides only 'assert' and 'node:assert'") as Error & { code?: string }
    error.code = 'MODULE_NOT_FOUND'
    throw error
  })
}
