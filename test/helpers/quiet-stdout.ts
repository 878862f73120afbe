type Write = typeof process.stdout.write

/**
 * Runs `work` with this process's stdout and/or stderr writes replaced by `writes`, and puts each
 * stream's own write back after, however `work` ends.
 */
export async function withStreamWrites<T>(writes: { stdout?: Write; stderr?: Write }, work: () => Promise<T>): Promise<T> {
  const replaced = (['stdout', 'stderr'] as const).filter((name) => writes[name] !== undefined)
  const own = replaced.map((name) => Object.getOwnPropertyDescriptor(process[name], 'write'))
  for (const name of replaced) process[name].write = writes[name]!
  try {
    return await work()
  } finally {
    replaced.forEach((name, i) => {
      const descriptor = own[i]
      if (descriptor) Object.defineProperty(process[name], 'write', descriptor)
      else delete (process[name] as { write?: unknown }).write
    })
  }
}

/**
 * Runs `work` with this process's stdout held back (what a command prints there is dropped): for
 * tests that run a command through the real program in-process and assert on what it throws, so
 * its plan or table does not land in the test log.
 */
export function quietStdout<T>(work: () => Promise<T>): Promise<T> {
  return withStreamWrites({ stdout: (() => true) as Write }, work)
}
