import { isBenchError } from '../errors.js'
import { describeValue } from '../plugin-api-checks/contract-error.js'

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

/** `<who> threw <value>, not an Error: …`, the message of a thrown value that is not an Error. */
function nonErrorMessage(who: string, thrown: unknown): string {
  return `${who} threw ${describeValue(thrown)}, not an Error: the plugin should throw an Error whose message says what went wrong`
}

/**
 * What a plugin hook threw when it was not an Error (`throw 'boom'`, `throw 42`, a rejection with
 * a plain object): the value (also as `cause`) and the hook, so the message names both.
 */
export class NonErrorThrown extends Error {
  /** `<kind> plugin '<name>' <hook>()`. */
  readonly hook: string
  readonly thrown: unknown

  constructor(hook: string, thrown: unknown) {
    super(nonErrorMessage(hook, thrown), { cause: thrown })
    this.name = 'NonErrorThrown'
    this.hook = hook
    this.thrown = thrown
  }
}

/**
 * Calls one plugin hook (`call`), recorded as in flight until what it returns settles. An Error
 * the plugin throws (not a BenchError, which names its source itself) is remembered with the hook,
 * so the cell's error can say which plugin threw it ({@link hookThatThrew}); a thrown value that is
 * not an Error is replaced by a {@link NonErrorThrown} naming the hook.
 */
export async function callHook<T>(plugin: Named | string, hook: string, call: () => T | Promise<T>): Promise<T> {
  const id = nextId++
  const described = `${hookOwner(plugin)} ${hook}()`
  inFlight.set(id, described)
  let result: T
  try {
    result = await call()
  } catch (error) {
    throw named(described, error)
  } finally {
    inFlight.delete(id)
  }
  return result
}

/**
 * {@link callHook} for a synchronous hook (a strategy's `needs()` and `weights()`): what it throws
 * is named the same way (the hook remembered, a non-Error replaced by a {@link NonErrorThrown});
 * what it returns is passed on as it is, a Promise included (the caller's check refuses one).
 * Nothing is recorded as in flight: a synchronous hook never leaves the event loop waiting.
 */
export function callHookSync<T>(plugin: Named | string, hook: string, call: () => T): T {
  try {
    return call()
  } catch (error) {
    throw named(`${hookOwner(plugin)} ${hook}()`, error)
  }
}

/** What `described` (a hook) threw, as its caller rethrows it: remembered with the hook, or wrapped when it is no Error. */
function named(described: string, error: unknown): Error {
  if (!(error instanceof Error)) {
    const wrapped = new NonErrorThrown(described, error)
    thrownBy.set(wrapped, described)
    return wrapped
  }
  if (!isBenchError(error) && !thrownBy.has(error)) thrownBy.set(error, described)
  return error
}

/** `<kind> plugin '<name>' <hook>()` when `error` was thrown by a plugin hook called through {@link callHook}. */
export function hookThatThrew(error: unknown): string | undefined {
  return error instanceof Error ? thrownBy.get(error) : undefined
}

/**
 * The message for an error that failed a cell: `<kind> plugin '<name>' <hook>() threw: <message>`
 * for an Error a plugin hook threw, the {@link NonErrorThrown} message (naming the hook) for a
 * non-Error one, the error's own message otherwise (a BenchError names its source itself).
 */
export function describeHookError(error: unknown): string {
  if (error instanceof NonErrorThrown) return error.message
  if (!(error instanceof Error)) return nonErrorMessage('a plugin hook', error)
  const thrower = hookThatThrew(error)
  return thrower !== undefined ? `${thrower} threw: ${error.message}` : error.message
}

/** The hooks in flight, oldest first, each once. */
export function hooksInFlight(): string[] {
  return [...new Set(inFlight.values())]
}

/** A model instance's label: `model plugin '<name>'` when the caller knows the name, else `the model`. */
export function modelLabel(name: string | undefined): string {
  return name === undefined ? 'the model' : `model plugin '${name}'`
}
