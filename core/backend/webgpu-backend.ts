import { createRequire } from 'node:module'
import type * as TF from '@tensorflow/tfjs'
import { backendFailedError } from './device-failure.js'
import type { DeviceFailure } from './device-failure.js'
import { dawnFlags } from './webgpu-flags.js'

// tfjs-webgpu on Dawn (the `webgpu` package), with two changes to what tfjs registers by itself:
// - the device is requested with every limit at the adapter's own value (tfjs asks for six of
//   them; the rest stay at WebGPU's defaults, e.g. 8 storage buffers per shader stage);
// - every device error stops the work with BENCH_BACKEND_FAILED, naming the kernel and its shapes.
//   Dawn only reports an error to the device's `uncapturederror` listeners (tfjs has none) and
//   the op hands back garbage, so a run would go on computing nonsense. Here a dispatch that would
//   exceed the device's limits is refused before it runs, pipeline compilation is checked in an
//   error scope (once per shader: cheap), any other error is caught by the listener, and every
//   read from the device throws the first failure instead of returning data.

/** The minimal WebGPU surface used here (types of `@webgpu/types`, which bonbench does not depend on). */
interface GpuError {
  message: string
}
interface GpuDevice {
  limits: Record<string, number>
  lost: Promise<{ reason: string; message: string }>
  addEventListener(type: 'uncapturederror', listener: (event: { error: GpuError }) => void): void
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void
  popErrorScope(): Promise<GpuError | null>
  createComputePipeline(descriptor: { label?: string }): unknown
  destroy(): void
}
interface GpuAdapter {
  limits: Record<string, number>
  features: Set<string>
  info?: unknown
  requestDevice(descriptor: { requiredFeatures: string[]; requiredLimits: Record<string, number> }): Promise<GpuDevice>
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: string }): Promise<GpuAdapter | null>
}
interface TensorInfo {
  dataId: object
  shape: number[]
  dtype: string
}
type Program = { constructor: { name: string }; outputShape?: number[] }
interface GpuBuffer {
  size: number
  destroy(): void
}
/** tfjs-webgpu's pool of buffers, by `${size}_${usage}` (its internals: see trimPool). */
interface BufferManager {
  freeBuffers: Map<string, GpuBuffer[]>
  numFreeBuffers: number
  numBytesAllocated: number
  numBytesUsed: number
  acquireBuffer(size: number, usage: number, ...rest: unknown[]): GpuBuffer
}
interface WebGPUBackendClass {
  new (
    device: GpuDevice,
    adapterInfo?: unknown,
  ): {
    device: GpuDevice
    bufferManager: BufferManager
    runWebGPUProgram(program: Program, inputs: TensorInfo[], outputDtype: string, uniforms?: unknown, output?: TensorInfo): TensorInfo
    read(dataId: object): Promise<unknown>
  }
}

// Dynamic import through a variable so TypeScript does not require the optional package.
const importOptional = (name: string): Promise<unknown> => import(name)

/** Every limit an adapter reports (they are getters on the prototype: `for…in` sees them, Object.keys does not). */
function allLimits(limits: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const key in limits) if (typeof limits[key] === 'number') out[key] = limits[key]
  return out
}

function kindOf(error: GpuError): DeviceFailure['kind'] {
  const name = error.constructor.name
  if (name === 'GPUOutOfMemoryError') return 'out-of-memory'
  if (name === 'GPUInternalError') return 'internal'
  return 'validation'
}

/**
 * Bytes of free buffers tfjs-webgpu may keep for reuse. It keeps every released buffer, by exact
 * size, for ever: sampling, whose shapes change at every step, grew the pool by about 10 MB per
 * batch of the tiny model and ran Dawn's null device (512 MB) out of memory in the quick preset.
 * Above this, each read destroys the free buffers of sizes not asked for since the previous read.
 */
export const FREE_POOL_BYTES = 64 * 2 ** 20

/** Bytes a tensor takes in a GPU buffer (tfjs-webgpu stores bool as int32: 4 bytes for every dtype it binds). */
const BYTES_PER_ELEMENT = 4

/**
 * Starts Dawn, checks that it finds an adapter, and registers tfjs's `webgpu` backend so that it
 * starts as described at the top of this file. Throws when there is no adapter.
 */
export async function registerWebGPU(tf: typeof TF, flags: string[] = dawnFlags(), opts: { freePoolBytes?: number } = {}): Promise<void> {
  const dawn = (await importOptional('webgpu')) as { create(flags: string[]): Gpu; globals: object }
  Object.assign(globalThis, dawn.globals)
  const nav = ((globalThis as { navigator?: object }).navigator ??= {}) as { gpu?: Gpu }
  nav.gpu ??= dawn.create(flags)
  const gpu = nav.gpu
  // tfjs only says setBackend failed; say why when there is no GPU adapter at all.
  if (!(await gpu.requestAdapter())) throw new Error("no WebGPU adapter: Dawn found no GPU (a Vulkan loader and the GPU vendor's Vulkan driver are needed)")
  // The CommonJS bundle, with require (see select-backend.ts); loading it registers tfjs's own factory, replaced below.
  const { WebGPUBackend } = createRequire(import.meta.url)('@tensorflow/tfjs-backend-webgpu') as { WebGPUBackend: WebGPUBackendClass }
  const Checked = checkedBackendClass(WebGPUBackend, opts.freePoolBytes ?? FREE_POOL_BYTES)
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu')
  tf.registerBackend(
    'webgpu',
    async () => {
      const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' })
      if (!adapter) throw new Error('no WebGPU adapter')
      const requiredFeatures = ['timestamp-query', 'bgra8unorm-storage'].filter((feature) => adapter.features.has(feature))
      const device = await adapter.requestDevice({ requiredFeatures, requiredLimits: allLimits(adapter.limits) })
      return new Checked(device, adapter.info) as unknown as TF.KernelBackend
    },
    3,
  )
}

const bytesOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1) * BYTES_PER_ELEMENT

/** A dispatch as a failure names it: the program's class (tfjs labels its pipelines with it) and the inputs' shapes. */
function where(dispatch: { program: Program; inputs: TensorInfo[] } | undefined): Pick<DeviceFailure, 'kernel' | 'shapes'> {
  return dispatch ? { kernel: dispatch.program.constructor.name, shapes: dispatch.inputs.map((input) => input.shape) } : {}
}

/** tfjs's WebGPUBackend with the checks described at the top of this file. */
function checkedBackendClass(Base: WebGPUBackendClass, freePoolBytes: number) {
  return class CheckedWebGPUBackend extends Base {
    private failure?: DeviceFailure
    /** The program dispatched last and its inputs (references: the names and shapes are worked out only for a failure). */
    private last?: { program: Program; inputs: TensorInfo[] }
    /** Error scopes not yet popped: a read waits for them before it says the device is fine. */
    private readonly pending = new Set<Promise<void>>()

    /** Buffer sizes (pool keys) asked for since the last read. */
    private readonly recent = new Set<string>()

    constructor(device: GpuDevice, adapterInfo?: unknown) {
      super(device, adapterInfo)
      const manager = this.bufferManager
      const acquire = manager.acquireBuffer.bind(manager)
      manager.acquireBuffer = (size, usage, ...rest) => {
        this.recent.add(`${size}_${usage}`)
        return acquire(size, usage, ...rest)
      }
      device.addEventListener('uncapturederror', (event) =>
        this.fail({ kind: kindOf(event.error), message: event.error.message, ...where(this.last), approximate: true }),
      )
      void device.lost.then((info) => this.fail({ kind: 'device-lost', message: info.message || `the device was ${info.reason}` }))
      // Pipelines compile once per shader: an error scope around each says exactly which kernel failed.
      const create = device.createComputePipeline.bind(device)
      device.createComputePipeline = (descriptor) => {
        const at = this.last
        device.pushErrorScope('validation')
        const pipeline = create(descriptor)
        const popped: Promise<void> = device.popErrorScope().then((error) => {
          this.pending.delete(popped)
          if (error) this.fail({ kind: 'validation', message: error.message, ...where(at) })
        })
        this.pending.add(popped)
        return pipeline
      }
    }

    private fail(failure: DeviceFailure): void {
      this.failure ??= failure
    }

    private throwIfFailed(): void {
      if (this.failure) throw backendFailedError('webgpu', this.failure)
    }

    override runWebGPUProgram(program: Program, inputs: TensorInfo[], outputDtype: string, uniforms?: unknown, output?: TensorInfo): TensorInfo {
      this.throwIfFailed()
      this.last = { program, inputs }
      const limits = this.device.limits
      // Output and every input are bound as storage buffers (the uniforms are one uniform buffer).
      const storage = inputs.length + 1
      if (storage > limits.maxStorageBuffersPerShaderStage!) {
        this.fail({
          kind: 'limit',
          ...where(this.last),
          message: `it binds ${storage} storage buffers and the device allows ${limits.maxStorageBuffersPerShaderStage} per shader stage`,
        })
      }
      let largest = bytesOf(output?.shape ?? program.outputShape ?? [])
      for (const input of inputs) largest = Math.max(largest, bytesOf(input.shape))
      if (largest > limits.maxStorageBufferBindingSize!) {
        this.fail({
          kind: 'limit',
          ...where(this.last),
          message: `it binds a buffer of ${largest} bytes and the device allows ${limits.maxStorageBufferBindingSize} per binding`,
        })
      }
      this.throwIfFailed()
      return super.runWebGPUProgram(program, inputs, outputDtype, uniforms, output)
    }

    override async read(dataId: object): Promise<unknown> {
      let values: unknown
      try {
        values = await super.read(dataId)
      } catch (error) {
        // A read that fails is the device failing (mapping a buffer is aborted when the device is lost).
        await Promise.all(this.pending)
        this.fail({
          kind: 'internal',
          message: `reading from the device failed (${(error as Error).name}: ${(error as Error).message})`,
          ...where(this.last),
          approximate: true,
        })
      }
      await Promise.all(this.pending)
      this.throwIfFailed()
      this.trimPool()
      return values
    }

    /** Destroys the pooled free buffers of sizes not used since the last read, when the pool is over `freePoolBytes`. */
    private trimPool(): void {
      const manager = this.bufferManager
      if (manager.numBytesAllocated - manager.numBytesUsed > freePoolBytes) {
        for (const [key, buffers] of manager.freeBuffers) {
          if (this.recent.has(key)) continue
          // Every command that used them has completed: this read waited for the queue.
          for (const buffer of buffers) {
            buffer.destroy()
            manager.numBytesAllocated -= buffer.size
          }
          manager.numFreeBuffers -= buffers.length
          buffers.length = 0
        }
      }
      this.recent.clear()
    }
  }
}
