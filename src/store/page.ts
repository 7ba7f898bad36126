import { errors } from '../core/errors.js';
import type { Page } from './types.js';

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;
/** Default most bytes of event payload in one page of history: 4 MiB. */
export const DEFAULT_PAGE_BYTES = 4 * 1024 * 1024;

/** A page with its defaults applied: `after` 0, `limit` 100, never more than 1000. */
export interface PageBounds {
  readonly after: number;
  readonly limit: number;
  readonly maxBytes: number;
}

/** Apply the page defaults and limits every adapter shares; reject nonsense early. */
export function pageBounds(page: Page | undefined): PageBounds {
  const after = page?.after ?? 0;
  const limit = page?.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isSafeInteger(after) || after < 0) {
    throw errors.validation(`Page "after" must be a whole number >= 0, got ${String(after)}.`, {
      after,
    });
  }
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw errors.validation(`Page "limit" must be a whole number >= 0, got ${String(limit)}.`, {
      limit,
    });
  }
  const maxBytes = page?.maxBytes ?? DEFAULT_PAGE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw errors.validation(
      `Page "maxBytes" must be a whole number >= 0, got ${String(maxBytes)}.`,
      { maxBytes },
    );
  }
  return { after, limit: Math.min(limit, MAX_PAGE_LIMIT), maxBytes };
}
