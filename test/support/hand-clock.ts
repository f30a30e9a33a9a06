/** A clock the test moves by hand, for the pacing parts that take a `now` function. */
export function handClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0
  return { now: () => t, advance: (ms) => (t += ms) }
}
