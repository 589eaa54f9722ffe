/** setTimeout's ceiling: browsers and Node fire a longer delay at once (Node also warns). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `value` when it is a delay setTimeout honours, from `min`; a RangeError naming the option otherwise. */
export function checkMilliseconds(name: string, value: number, min = 0): number {
  if (!(value >= min && value <= MAX_TIMER_MS)) {
    throw new RangeError(`${name} must be a number of milliseconds from ${min} to ${MAX_TIMER_MS} (about 24.8 days), got ${value}`);
  }
  return value;
}
