import type { Clock } from "../../src/shared/clock";

/** A clock a test moves by hand: schedules and stale flags without waiting days. */
export class TestClock implements Clock {
  constructor(private at: number = Date.now()) {}

  now(): number {
    return this.at;
  }

  advance(ms: number): void {
    this.at += ms;
  }
}

export const SECOND = 1000;
export const DAY = 86_400_000;
