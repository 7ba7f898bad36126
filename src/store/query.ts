import { errors } from '../core/errors.js';
import { MAX_PAGE_LIMIT, pageBounds } from './page.js';
import type { Attempt, InstanceQuery, Lease } from './types.js';

/**
 * Argument checks every adapter shares, so a bad query fails the same way
 * (VALIDATION_FAILED) whatever the store, before it reaches the database.
 */

/** An InstanceQuery with its defaults applied and its filters checked. */
export interface InstanceQueryBounds {
  readonly machine: string;
  readonly state: string | undefined;
  readonly status: InstanceQuery['status'];
  readonly enteredBefore: number | undefined;
  readonly version: string | undefined;
  readonly afterId: string | undefined;
  readonly idPrefix: string | undefined;
  readonly limit: number;
}

/** The exclusive upper end of the id range a prefix covers (ids are ASCII below `\x7f`). */
export const idPrefixEnd = (prefix: string): string => `${prefix}\x7f`;

export function instanceQueryBounds(query: InstanceQuery): InstanceQueryBounds {
  const { machine, state, status, enteredBefore, afterId, version, idPrefix } = query;
  if (typeof machine !== 'string' || machine === '') {
    throw errors.validation('Listing instances needs a "machine" name.', { machine });
  }
  if (state !== undefined && (typeof state !== 'string' || state === '' || state.includes(','))) {
    throw errors.validation(
      `The "state" filter must be one state path such as "paid" or "paid.packed", got ${JSON.stringify(state)}.`,
      { state },
    );
  }
  if (enteredBefore !== undefined && !Number.isFinite(enteredBefore)) {
    throw errors.validation(
      `"enteredBefore" must be a time in milliseconds, got ${String(enteredBefore)}.`,
      { enteredBefore },
    );
  }
  if (version !== undefined && (typeof version !== 'string' || version === '')) {
    throw errors.validation('"version" must be a machine version such as "2".', { version });
  }
  if (afterId !== undefined && typeof afterId !== 'string') {
    throw errors.validation('"afterId" must be an instance id.', { afterId });
  }
  if (
    idPrefix !== undefined &&
    (typeof idPrefix !== 'string' || !/^[\x20-\x7e]{1,200}$/.test(idPrefix))
  ) {
    throw errors.validation(
      `"idPrefix" must be 1–200 characters of an instance id, got ${JSON.stringify(idPrefix)}.`,
      { idPrefix },
    );
  }
  const { limit } = pageBounds(query.limit === undefined ? undefined : { limit: query.limit });
  return { machine, state, status, enteredBefore, version, afterId, idPrefix, limit };
}

/** Check a lease; its limit is capped like a page (at most 1000 rows per claim). */
export function leaseBounds(lease: Lease): Lease {
  const { owner, now, until, limit } = lease;
  if (typeof owner !== 'string' || owner === '') {
    throw errors.validation('A lease needs an "owner" (the claiming process).', { owner });
  }
  if (!Number.isFinite(now) || !Number.isFinite(until)) {
    throw errors.validation('A lease needs "now" and "until" as times in milliseconds.', {
      now,
      until,
    });
  }
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw errors.validation(`A lease "limit" must be a whole number >= 0, got ${String(limit)}.`, {
      limit,
    });
  }
  return { owner, now, until, limit: Math.min(limit, MAX_PAGE_LIMIT) };
}

/** Check a lease renewal's owner and end. */
export function renewalBounds(owner: string, until: number): { owner: string; until: number } {
  if (typeof owner !== 'string' || owner === '') {
    throw errors.validation('A lease renewal needs an "owner" (the process holding it).', {
      owner,
    });
  }
  return { owner, until: checkTime('until', until) };
}

export function checkAttempt(attempt: Attempt): Attempt {
  const { attempts, lastError, at } = attempt;
  if (!Number.isSafeInteger(attempts) || attempts < 0) {
    throw errors.validation(`"attempts" must be a whole number >= 0, got ${String(attempts)}.`, {
      attempts,
    });
  }
  if (typeof lastError !== 'string') {
    throw errors.validation('"lastError" must be a string.', { lastError });
  }
  if (!Number.isFinite(at)) {
    throw errors.validation(`"at" must be a time in milliseconds, got ${String(at)}.`, { at });
  }
  return { attempts, lastError, at };
}

export function checkTime(name: string, value: number): number {
  if (!Number.isFinite(value)) {
    throw errors.validation(`"${name}" must be a time in milliseconds, got ${String(value)}.`, {
      [name]: value,
    });
  }
  return value;
}

/** A subscriber cursor: a name and an emit-log position >= 0. */
export function checkCursor(subscriber: string, position?: number): void {
  if (typeof subscriber !== 'string' || subscriber === '') {
    throw errors.validation('A cursor needs a subscriber name.', { subscriber });
  }
  if (position !== undefined && (!Number.isSafeInteger(position) || position < 0)) {
    throw errors.validation(
      `A cursor position must be a whole number >= 0, got ${String(position)}.`,
      { subscriber, position },
    );
  }
}
