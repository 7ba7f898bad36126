import { errors } from '../../core/errors.js';
import { pageBounds } from '../page.js';
import { checkCursor, checkTime } from '../query.js';
import type { ApiKeyRow, ApiKeyStore, EmitLog, EmitRecord } from '../types.js';
import { compare, copy, copyIn, type MemoryData } from './data.js';

/** The emit log and subscriber cursors. */
export function memoryEmitLog(d: MemoryData): EmitLog {
  return {
    async readEmits(after: number, limit?: number): Promise<EmitRecord[]> {
      d.assertOpen();
      const bounds = pageBounds(limit === undefined ? { after } : { after, limit });
      return d.emits
        .slice(bounds.after, bounds.after + bounds.limit)
        .map((row) => structuredClone(row));
    },
    async getCursor(subscriber: string): Promise<number> {
      d.assertOpen();
      checkCursor(subscriber);
      return d.cursors.get(subscriber) ?? 0;
    },
    async setCursor(subscriber: string, position: number): Promise<void> {
      d.assertOpen();
      checkCursor(subscriber, position);
      d.cursors.set(subscriber, position);
    },
  };
}

/** API keys, kept by id and by hash. */
export function memoryApiKeys(d: MemoryData): ApiKeyStore {
  return {
    async putApiKey(key: ApiKeyRow): Promise<void> {
      d.assertOpen();
      const stored = copyIn(key, 'store an API key');
      if (d.apiKeys.has(stored.keyId) || d.apiKeyHashes.has(stored.hash)) {
        throw duplicateApiKey(stored.keyId);
      }
      d.apiKeys.set(stored.keyId, stored);
      d.apiKeyHashes.set(stored.hash, stored.keyId);
    },
    async findApiKey(hash: string): Promise<ApiKeyRow | undefined> {
      d.assertOpen();
      const keyId = d.apiKeyHashes.get(hash);
      return keyId === undefined ? undefined : copy(d.apiKeys.get(keyId));
    },
    async listApiKeys(): Promise<ApiKeyRow[]> {
      d.assertOpen();
      return [...d.apiKeys.values()]
        .sort((a, b) => a.createdAt - b.createdAt || compare(a.keyId, b.keyId))
        .map((row) => structuredClone(row));
    },
    async revokeApiKey(keyId: string, at: number): Promise<boolean> {
      d.assertOpen();
      checkTime('at', at);
      const row = d.apiKeys.get(keyId);
      if (row === undefined) return false;
      // The first revocation stands: revoking again does not move its time.
      if (row.revokedAt === null) d.apiKeys.set(keyId, { ...row, revokedAt: at });
      return true;
    },
  };
}

function duplicateApiKey(keyId: string) {
  return errors.validation(
    `An API key with id "${keyId}" or the same hash is already stored. Generate a new key.`,
    { keyId },
  );
}
