import { isBenchError } from '../errors.js'

/**
 * The plugin hooks this process awaits right now, each as `<kind> plugin '<name>' <hook>()`. When
 * a command stalls (Node's event loop runs empty while it still waits: cli/stall-watch.ts), the
 * ones still here are those whose promise never settled, and the message names them.
 */
const inFlight = new Map<number, string>()
let nextId = 0

/** A plugin as the hook names show it. */
interface Named {
  kind: string
  name: string
}

/** How a plugin is named in a hook's description: `<kind> plugin '<name>'`, or the text given. */
function hookOwner(plugin: Named | string): string {
  return typeof plugin === 'string' ? plugin : `${plugin.kind} plugin '${plugin.name}'`
}

/** The hook each error a plugin threw came from (the innermost, when hooks nest); bonbench's own errors are not kept. */
const thrownBy = new WeakMap<object, string>()

/**
 * Calls one plugin hook (`call`), recorded as in flight until what it returns settles. An Error
 * the plugin throws (not a BenchError, which names its source itself) is remembered with the hook,
 * so the cell's error can say which plugin threw it ({@link hookThatThrew}).
 */
export async function callHook<T>(plugin: Named | string, hook: string, call: () => T | Promise<T>): Promise<T> {
  const id = nextId++
  const described = `${hookOwner(plugin)} ${hook}()`
  inFlight.set(id, described)
  try {
    return await call()
  } catch (error) {
    if (error instanceof Error && !isBenchError(error) && !thrownBy.has(error)) thrownBy.set(error, described)
    throw error
  } finally {
    inFlight.delete(id)
  }
}

/** `<kind> plugin '<name>' <hook>()` when `error` was thrown by a plugin hook called through {@link callHook}. */
export function hookThatThrew(error: unknown): string | undefined {
  return error instanceof Error ? thrownBy.get(error) : undefined
}

/** The hooks in flight, oldest first, each once. */
export function hooksInFlight(): string[] {
  return [...new Set(inFlight.values())]
}

/** A model instance's label: `model plugin '<name>'` when the caller knows the name, else `the model`. */
export function modelLabel(name: string | undefined): string {
  return name === undefined ? 'the model' : `model plugin '${name}'`
}
