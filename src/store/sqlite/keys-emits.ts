import { errors } from '../../core/errors.js';
import { pageBounds } from '../page.js';
import { checkCursor, checkTime } from '../query.js';
import { toApiKeyRow, toEmitRecord } from '../sql/rows.js';
import type { ApiKeyRow, ApiKeyStore, EmitLog, EmitRecord } from '../types.js';
import type { SqliteRunner } from './runner.js';

/** The emit log and subscriber cursors. */
export function sqliteEmitLog(r: SqliteRunner): EmitLog {
  return {
    async readEmits(after: number, limit?: number): Promise<EmitRecord[]> {
      const rows = await r.read('read the emit log', (s) => {
        const bounds = pageBounds(limit === undefined ? { after } : { after, limit });
        return s.readEmits.all(bounds.after, bounds.limit);
      });
      return rows.map(toEmitRecord);
    },
    async getCursor(subscriber: string): Promise<number> {
      const position = await r.read('read a cursor', (s) => {
        checkCursor(subscriber);
        return s.getCursor.get(subscriber);
      });
      return position ?? 0;
    },
    async setCursor(subscriber: string, position: number): Promise<void> {
      await r.write('save a cursor', (s) => {
        checkCursor(subscriber, position);
        s.setCursor.run(subscriber, position);
      });
    },
  };
}

/** API keys (only hashes are stored). */
export function sqliteApiKeys(r: SqliteRunner): ApiKeyStore {
  return {
    async putApiKey(key: ApiKeyRow): Promise<void> {
      try {
        await r.write('store an API key', (s) =>
          s.insertApiKey.run(
            key.keyId,
            key.hash,
            key.name,
            key.subject,
            JSON.stringify(key.roles),
            key.createdAt,
            key.revokedAt,
          ),
        );
      } catch (error) {
        const code = (error as { details?: { driverCode?: unknown } }).details?.driverCode;
        if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
          throw errors.validation(
            `An API key with id "${key.keyId}" or the same hash is already stored. Generate a new key.`,
            { keyId: key.keyId },
          );
        }
        throw error;
      }
    },
    async findApiKey(hash: string): Promise<ApiKeyRow | undefined> {
      const row = await r.read('find an API key', (s) => s.findApiKey.get(hash));
      return row === undefined ? undefined : toApiKeyRow(row);
    },
    async listApiKeys(): Promise<ApiKeyRow[]> {
      return (await r.read('list API keys', (s) => s.listApiKeys.all())).map(toApiKeyRow);
    },
    async revokeApiKey(keyId: string, at: number): Promise<boolean> {
      const { changes } = await r.write('revoke an API key', (s) =>
        s.revokeApiKey.run(checkTime('at', at), keyId),
      );
      return changes > 0;
    },
  };
}
