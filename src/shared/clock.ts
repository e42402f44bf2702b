/**
 * Where "now" comes from for rules that depend on time (schedules, stale flags): the system clock,
 * or a clock a test moves by hand.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
