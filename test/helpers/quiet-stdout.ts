/**
 * Runs `work` with this process's stdout held back (what a command prints there is dropped), and
 * puts the stream's own write back after, however `work` ends: for tests that run a command
 * through the real program in-process and assert on what it throws, so its plan or table does
 * not land in the test log.
 */
export async function quietStdout<T>(work: () => Promise<T>): Promise<T> {
  const own = Object.getOwnPropertyDescriptor(process.stdout, 'write')
  process.stdout.write = (() => true) as typeof process.stdout.write
  try {
    return await work()
  } finally {
    if (own) Object.defineProperty(process.stdout, 'write', own)
    else delete (process.stdout as { write?: unknown }).write
  }
}
