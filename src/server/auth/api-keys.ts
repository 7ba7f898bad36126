import { createHash, randomBytes } from 'node:crypto';
import { StatorError } from '../../core/errors.js';
import type { Actor } from '../../core/types.js';
import type { ApiKeyRow } from '../../store/types.js';

/** The part of the store the server needs to check API keys (the Store satisfies it). */
export interface ApiKeyLookup {
  findApiKey(hash: string): Promise<ApiKeyRow | undefined>;
}

/** A freshly issued key: `token` is shown once; only `row` (with the hash) is stored. */
export interface IssuedApiKey {
  readonly token: string;
  readonly row: ApiKeyRow;
}

const PREFIX = 'stk_';
const TOKEN = /^stk_([a-f0-9]{16})_([A-Za-z0-9-]{43})$/;

/** SHA-256 (hex) of a key's secret part: what the store keeps. */
export const hashSecret = (secret: string): string =>
  createHash('sha256').update(secret).digest('hex');

/** True when a bearer token looks like a Stator API key (`stk_…`), not a JWT. */
export const isApiKeyToken = (token: string): boolean => token.startsWith(PREFIX);

/**
 * Makes a new API key `stk_<keyId>_<secret>` for `subject` with `roles`.
 *
 * @example
 * const { token, row } = issueApiKey({ name: 'ci', subject: 'svc-ci', roles: ['admin'], now: Date.now() });
 * await store.putApiKey(row); // keep only the hash
 * console.log(token); // show once
 */
export function issueApiKey(options: {
  readonly name: string;
  readonly subject: string;
  readonly roles: readonly string[];
  readonly now: number;
}): IssuedApiKey {
  if (options.subject.startsWith('system:')) {
    throw new StatorError(
      'VALIDATION_FAILED',
      `The subject "${options.subject}" starts with "system:", which names the engine's own actors (timers, activities); choose another subject.`,
      { subject: options.subject },
    );
  }
  const keyId = randomBytes(8).toString('hex');
  // base64url without "_" so the token splits unambiguously
  const secret = randomBytes(32).toString('base64url').replaceAll('_', '-');
  return {
    token: `${PREFIX}${keyId}_${secret}`,
    row: {
      keyId,
      hash: hashSecret(secret),
      name: options.name,
      subject: options.subject,
      roles: [...options.roles],
      createdAt: options.now,
      revokedAt: null,
    },
  };
}

/** The actor of a valid, unrevoked API key; UNAUTHORIZED otherwise (without saying which part failed). */
export async function verifyApiKey(lookup: ApiKeyLookup, token: string): Promise<Actor> {
  const match = TOKEN.exec(token);
  const row = match ? await lookup.findApiKey(hashSecret(match[2]!)) : undefined;
  if (!match || !row || row.keyId !== match[1]) {
    throw new StatorError(
      'UNAUTHORIZED',
      'The API key is not valid. Check that it was copied whole, or create a new one with `stator keys create`.',
    );
  }
  if (row.revokedAt !== null) {
    throw new StatorError(
      'UNAUTHORIZED',
      `API key ${row.keyId} ("${row.name}") was revoked. Create a new one with \`stator keys create\`.`,
      { keyId: row.keyId },
    );
  }
  return { id: row.subject, roles: [...row.roles], keyId: row.keyId };
}
