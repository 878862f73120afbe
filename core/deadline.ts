/**
 * Settles as `work` does, or rejects with `late()` when `work` has not settled within `ms`. The
 * timer holds the process open meanwhile (a promise that never settles would otherwise let Node
 * exit in silence) and is cleared as soon as `work` settles. A `work` that rejects after the
 * deadline is handled here: nobody waits for it any more.
 */
export async function settleWithin<T>(work: Promise<T> | T, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms)
  })
  try {
    return await Promise.race([Promise.resolve(work), deadline])
  } finally {
    clearTimeout(timer)
  }
}
