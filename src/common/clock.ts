import { randomBytes, randomUUID } from 'node:crypto';

/** The time source business logic reads instead of `Date.now()`, so tests can move it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/**
 * Milliseconds on a clock that never steps, for how long something has lasted (a link's silence):
 * a wall clock set forward (NTP, or a test's clock) is not time passing.
 */
export const elapsedMs = (): number => performance.now();

/** The real wall clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests set and advance by hand. */
export class ManualClock implements Clock {
  constructor(private ms = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The id/random source business logic reads instead of `Math.random()`. */
export interface Ids {
  /** 32 lowercase hex characters: the form of ECS task and container-instance ids. */
  hex32(): string;
  /** A random UUID (ECS container ids, request ids). */
  uuid(): string;
}

/** Cryptographically random ids. */
export const randomIds: Ids = {
  hex32: () => randomBytes(16).toString('hex'),
  uuid: () => randomUUID(),
};
