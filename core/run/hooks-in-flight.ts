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

/** Calls one plugin hook (`call`), recorded as in flight until what it returns settles. */
export async function callHook<T>(plugin: Named | string, hook: string, call: () => T | Promise<T>): Promise<T> {
  const id = nextId++
  inFlight.set(id, `${hookOwner(plugin)} ${hook}()`)
  try {
    return await call()
  } finally {
    inFlight.delete(id)
  }
}

/** The hooks in flight, oldest first, each once. */
export function hooksInFlight(): string[] {
  return [...new Set(inFlight.values())]
}

/** A model instance's label: `model plugin '<name>'` when the caller knows the name, else `the model`. */
export function modelLabel(name: string | undefined): string {
  return name === undefined ? 'the model' : `model plugin '${name}'`
}
