import ivm from 'isolated-vm'
import { shimSnapshotSource } from './shim-source.js'

const snapshots = new Map<number, ivm.ExternalCopy<ArrayBuffer>>()

/**
 * A V8 startup snapshot for the pool's isolates, made once per process and output limit (about
 * 0.1–0.2 s): a context in which the shim's bundle has run and made its objects, without its
 * hardening (see shimSnapshotSource). Every context of an isolate created from it starts as a copy
 * of that context, so a fresh context no longer runs the shim's bundle and makes its ~60 functions:
 * it runs only the install (ARM_SHIM_SOURCE), and a context with its shim takes 2.2–2.6× less
 * isolate CPU (benchmarks/sandbox-profile.ts). The hardening stays out of the snapshot: V8 adds
 * properties to a context it makes from a snapshot (SharedArrayBuffer, Atomics, WebAssembly), and a
 * snapshot with frozen built-ins crashes it there.
 */
export function shimSnapshot(outputLimit: number): ivm.ExternalCopy<ArrayBuffer> {
  let snapshot = snapshots.get(outputLimit)
  if (snapshot === undefined) {
    snapshot = ivm.Isolate.createSnapshot([{ code: shimSnapshotSource(outputLimit), filename: 'bonbench-shim.js' }])
    snapshots.set(outputLimit, snapshot)
  }
  return snapshot
}
