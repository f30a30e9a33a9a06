/**
 * Resolves with the first value `find` returns, checking now and each time something calls a function in
 * `wakers`; rejects when `find` throws (a reason to stop waiting) or after `ms` with `timeout()`'s message.
 */
export function waitUntil<T>(wakers: Set<() => void>, find: () => T | undefined, ms: number, timeout: () => string): Promise<T> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      try {
        const found = find()
        if (found === undefined) return
        done()
        resolve(found)
      } catch (error) {
        done()
        reject(error)
      }
    }
    const timer = setTimeout(() => {
      done()
      reject(new Error(timeout()))
    }, ms)
    const done = (): void => {
      clearTimeout(timer)
      wakers.delete(check)
    }
    wakers.add(check)
    check()
  })
}
