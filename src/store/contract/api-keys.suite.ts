import { describe, expect, it } from 'vitest';
import { apiKey, at } from './builders.js';
import type { ContractContext } from './context.js';

/** API keys: stored by hash, found by hash, listed, revoked. */
export function describeApiKeyContract(ctx: ContractContext): void {
  describe('API keys', () => {
    it('finds a stored key by its hash, every field intact', async () => {
      const key = apiKey('k-1', { roles: ['admin', 'clerk'], name: 'CI – déploiement' });
      await ctx.store.putApiKey(key);
      expect(await ctx.store.findApiKey(key.hash)).toEqual(key);
      expect(await ctx.store.findApiKey('sha256-of-nothing')).toBeUndefined();
    });

    it('lists every key by creation time', async () => {
      await ctx.store.putApiKey(apiKey('k-b', { createdAt: at(20) }));
      await ctx.store.putApiKey(apiKey('k-c', { createdAt: at(5) }));
      await ctx.store.putApiKey(apiKey('k-a', { createdAt: at(10), revokedAt: at(11) }));
      expect((await ctx.store.listApiKeys()).map((k) => k.keyId)).toEqual(['k-c', 'k-a', 'k-b']);
    });

    it('has no keys to list in a new store', async () => {
      expect(await ctx.store.listApiKeys()).toEqual([]);
    });

    it('revokes a key by id; the key is still found, with its revocation time', async () => {
      const key = apiKey('k-1');
      await ctx.store.putApiKey(key);
      expect(await ctx.store.revokeApiKey('k-1', at(30))).toBe(true);
      expect(await ctx.store.findApiKey(key.hash)).toEqual({ ...key, revokedAt: at(30) });
      expect(await ctx.store.listApiKeys()).toEqual([{ ...key, revokedAt: at(30) }]);
    });

    it('keeps the first revocation time when a key is revoked again', async () => {
      await ctx.store.putApiKey(apiKey('k-1'));
      await ctx.store.revokeApiKey('k-1', at(30));
      expect(await ctx.store.revokeApiKey('k-1', at(40))).toBe(true);
      expect((await ctx.store.findApiKey(apiKey('k-1').hash))?.revokedAt).toBe(at(30));
    });

    it('returns false when revoking an unknown key id', async () => {
      expect(await ctx.store.revokeApiKey('k-unknown', at(1))).toBe(false);
    });

    it('refuses a second key with the same id or the same hash (VALIDATION_FAILED), keeping the first', async () => {
      const first = apiKey('k-1');
      await ctx.store.putApiKey(first);
      await expect(ctx.store.putApiKey(apiKey('k-1', { hash: 'other' }))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(ctx.store.putApiKey(apiKey('k-2', { hash: first.hash }))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      expect(await ctx.store.listApiKeys()).toEqual([first]);
      expect(await ctx.store.findApiKey('other')).toBeUndefined();
    });

    it('hands out copies: changing a returned key changes nothing stored', async () => {
      const key = apiKey('k-1');
      await ctx.store.putApiKey(key);
      const found = await ctx.store.findApiKey(key.hash);
      (found!.roles as string[]).push('admin');
      (key.roles as string[]).push('root');
      expect((await ctx.store.findApiKey(key.hash))?.roles).toEqual(['clerk']);
    });
  });
}
