import type { Clock } from '../core/types.js';

/** The wall clock. Read once per event by the engine, never inside a step. */
export const systemClock: Clock = { now: () => Date.now() };
