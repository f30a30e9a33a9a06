/**
 * Waits until every promise has settled, or `ms` have passed, whichever comes first. Resolves with
 * whether they all settled; rejections count as settled.
 */
export async function settleWithin(promises: Iterable<Promise<unknown>>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const all = Promise.allSettled([...promises]).then(() => true)
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))))
  try {
    return await Promise.race([all, late])
  } finally {
    clearTimeout(timer)
  }
}
