/**
 * The one source of "now" for the domain and the handlers. On AWS it is the system clock; the
 * local runtime installs its virtual clock so that every timer and every handler agree on time.
 */
export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };
let current: Clock = systemClock;

export const clock: Clock = { now: () => current.now() };

export function useClock(source: Clock): void {
  current = source;
}
