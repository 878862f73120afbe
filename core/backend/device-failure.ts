import { BenchError } from '../errors.js'

/** What failed on a GPU device, and where: the first failure is the one a run reports. */
export interface DeviceFailure {
  /** WebGPU's error kind ('validation', 'out-of-memory', 'internal'), 'limit' for a dispatch refused before it ran, or 'device-lost'. */
  kind: 'validation' | 'out-of-memory' | 'internal' | 'limit' | 'device-lost'
  /** The device's own words (Dawn's message, first lines), or the limit that was exceeded. */
  message: string
  /** The tfjs program (kernel) that failed, or the one dispatched last when the device reported it later. */
  kernel?: string
  /** Its inputs' shapes. */
  shapes?: number[][]
  /** True when the kernel is only the last one dispatched before the device reported the error (uncaptured errors arrive later). */
  approximate?: boolean
}

const ADVICE: Record<DeviceFailure['kind'], string> = {
  validation:
    'A kernel the GPU refused is a bug in bonbench or in tfjs-webgpu on this GPU: report it with this message (and `bench env`); meanwhile run with --backend wasm.',
  limit:
    'The operation needs more than this GPU allows: use a smaller model or fewer sequences per step (--batch-prompts), or report it if the model should fit; meanwhile run with --backend wasm.',
  'out-of-memory': 'The GPU ran out of memory: use a smaller model or fewer sequences per step (--batch-prompts), or a GPU with more memory.',
  internal: 'The GPU driver failed: check `bench env` and the driver (README, "GPU machines"), then resume the run.',
  'device-lost': 'The GPU device was lost (a driver reset, or the GPU was taken away): check `bench env`, then resume the run.',
}

const shapeText = (shape: number[]) => `[${shape.join(', ')}]`

/** "inputs [4, 8], [8]" — long lists say how many of each shape instead of repeating them. */
function describeShapes(shapes: number[][]): string {
  if (shapes.length <= 4) return `inputs ${shapes.map(shapeText).join(', ')}`
  const counts = new Map<string, number>()
  for (const shape of shapes) counts.set(shapeText(shape), (counts.get(shapeText(shape)) ?? 0) + 1)
  return `${shapes.length} inputs: ${[...counts].map(([shape, n]) => (n > 1 ? `${n} × ${shape}` : shape)).join(', ')}`
}

/**
 * The BENCH_BACKEND_FAILED error of a device failure: which kernel, on which shapes, what the
 * device said, and what to do. Every later result of that device would be garbage, so the run stops.
 */
export function backendFailedError(backend: string, failure: DeviceFailure): BenchError {
  const where = failure.kernel
    ? ` ${failure.approximate ? 'after' : 'in'} kernel ${failure.kernel}${failure.shapes ? ` (${describeShapes(failure.shapes)})` : ''}`
    : ''
  const said = failure.message.split('\n').slice(0, 4).join(' ').replace(/\s+/g, ' ').trim().replace(/\.$/, '')
  return new BenchError(
    'BENCH_BACKEND_FAILED',
    `${backend}: ${failure.kind === 'device-lost' ? 'device lost' : `${failure.kind} error`}${where}: ${said}. ` +
      `Results computed after it would be garbage, so the work stops here (a run keeps its journal: \`bench run --resume\` carries on). ${ADVICE[failure.kind]}`,
  )
}
