import { errors } from '../../core/errors.js';
import { pageBounds } from '../page.js';
import { checkCursor, checkTime } from '../query.js';
import * as rows from '../sql/rows.js';
import type { Store } from '../types.js';
import type { Runner } from './runner.js';

type KeysAndEmits = Pick<
  Store,
  | 'putApiKey'
  | 'findApiKey'
  | 'listApiKeys'
  | 'revokeApiKey'
  | 'readEmits'
  | 'getCursor'
  | 'setCursor'
>;

const UNIQUE_VIOLATION = '23505';

/** API keys (hashes only), the emit log and subscriber cursors. */
export function keysAndEmits(r: Runner): KeysAndEmits {
  return {
    async putApiKey(key) {
      const { keyId, hash, name, subject, createdAt, revokedAt } = key;
      const values = [keyId, hash, name, subject, JSON.stringify(key.roles), createdAt, revokedAt];
      try {
        await r.rows('store an API key', 'putApiKey', values);
      } catch (error) {
        const code = (error as { details?: { driverCode?: unknown } }).details?.driverCode;
        if (code !== UNIQUE_VIOLATION) throw error;
        throw errors.validation(
          `An API key with id "${keyId}" or the same hash is already stored. Generate a new key.`,
          { keyId },
        );
      }
    },
    async findApiKey(hash) {
      const [row] = await r.rows('find an API key', 'findApiKey', [hash]);
      return row && rows.toApiKeyRow(row as rows.ApiKeyRecord);
    },
    async listApiKeys() {
      const found = await r.rows('list API keys', 'listApiKeys', []);
      return (found as rows.ApiKeyRecord[]).map(rows.toApiKeyRow);
    },
    async revokeApiKey(keyId, at) {
      r.check(() => checkTime('at', at));
      return (await r.count('revoke an API key', 'revokeApiKey', [keyId, at])) > 0;
    },

    async readEmits(after, limit) {
      const page = r.check(() => pageBounds(limit === undefined ? { after } : { after, limit }));
      const found = await r.rows('read the emit log', 'readEmits', [page.after, page.limit]);
      return (found as rows.EmitRecordRow[]).map(rows.toEmitRecord);
    },
    async getCursor(subscriber) {
      r.check(() => checkCursor(subscriber));
      const [row] = await r.rows('read a cursor', 'getCursor', [subscriber]);
      return (row?.position as number | undefined) ?? 0;
    },
    async setCursor(subscriber, position) {
      r.check(() => checkCursor(subscriber, position));
      await r.rows('save a cursor', 'setCursor', [subscriber, position]);
    },
  };
}
