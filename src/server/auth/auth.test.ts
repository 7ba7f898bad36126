import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, ORDERS, problemOf } from '../test-support/harness.js';
import { issueApiKey } from './api-keys.js';

const SECRET = 'test-secret-that-is-long-enough-for-hs256';
const hs256 = (claims: Record<string, unknown>, exp = '5m') =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(SECRET));

const create = (token: string, id = 'o-1') =>
  ({ body: { id, input: { total: 40 } }, headers: { authorization: `Bearer ${token}` } }) as const;

describe('API keys', () => {
  async function withKey(roles = ['admin']) {
    const h = await harness({ auth: (store) => ({ apiKeys: store }) });
    const issued = issueApiKey({ name: 'ci', subject: 'svc-ci', roles, now: Date.now() });
    await h.store.putApiKey(issued.row);
    return { h, issued };
  }

  it('stores only the SHA-256 of the secret', () => {
    const { token, row } = issueApiKey({ name: 'ci', subject: 's', roles: [], now: 1 });
    expect(token).toMatch(/^stk_[0-9a-f]{16}_[A-Za-z0-9-]{43}$/);
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.split('_')[2]);
  });

  it("refuses to issue a key for a system:* subject (the engine's own actors)", () => {
    expect(() => issueApiKey({ name: 'x', subject: 'system:timer', roles: [], now: 1 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('given a valid key, then the request acts as its subject with its roles', async () => {
    const { h, issued } = await withKey();
    const { body, headers } = create(issued.token);
    expect((await h.call('POST', ORDERS, body, headers)).status).toBe(201);
    const { events } = await h.engine.history('order', 'o-1');
    expect(events[0]?.actor).toEqual({ id: 'svc-ci', roles: ['admin'], keyId: issued.row.keyId });
  });

  it.each([
    ['no Authorization header', undefined],
    ['a malformed key', 'stk_nothex_abc'],
    ['a wrong secret', 'stk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a Basic scheme', 'Basic dXNlcjpwYXNz'],
  ])('given %s, then 401 with WWW-Authenticate', async (_, auth) => {
    const { h } = await withKey();
    const headers: Record<string, string> =
      auth === undefined
        ? {}
        : { authorization: auth.startsWith('Basic') ? auth : `Bearer ${auth}` };
    const res = await h.call('GET', `${ORDERS}/o-1`, undefined, headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await problemOf(res)).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('given a revoked key, then 401 naming the revocation', async () => {
    const { h, issued } = await withKey();
    await h.store.revokeApiKey(issued.row.keyId, Date.now());
    const res = await h.call('GET', ORDERS, undefined, { authorization: `Bearer ${issued.token}` });
    expect((await problemOf(res)).detail as string).toContain('revoked');
  });

  it('leaves /healthz and /openapi.json open', async () => {
    const { h } = await withKey();
    expect((await h.call('GET', '/healthz')).status).toBe(200);
    expect((await h.call('GET', '/openapi.json')).status).toBe(200);
  });
});

describe('JWT with a shared secret', () => {
  const app = () =>
    harness({ auth: () => ({ jwt: { secret: SECRET, rolesClaim: 'realm.roles' } }) });

  it('given a valid token, then sub and roles (from a dotted claim) become the actor', async () => {
    const h = await app();
    const token = await hs256({ sub: 'user-1', realm: { roles: ['customer'] } });
    const { body, headers } = create(token);
    expect((await h.call('POST', ORDERS, body, headers)).status).toBe(201);
    expect((await h.engine.history('order', 'o-1')).events[0]?.actor).toEqual({
      id: 'user-1',
      roles: ['customer'],
    });
  });

  it.each([
    ['expired', () => hs256({ sub: 'u' }, '-1h'), 'expired'],
    ['without sub', () => hs256({ realm: { roles: ['admin'] } }), 'sub'],
    [
      'signed with another secret',
      () =>
        new SignJWT({ sub: 'u' })
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode('other-secret-other-secret-other!!')),
      'signature',
    ],
    ['garbage', async () => 'not.a.jwt', 'not a valid JWT'],
    [
      'without exp (valid forever)',
      () =>
        new SignJWT({ sub: 'u' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuedAt()
          .sign(new TextEncoder().encode(SECRET)),
      'no "exp"',
    ],
    [
      'valid for longer than 24 hours',
      () => hs256({ sub: 'u' }, '25h'),
      'longer than this server accepts',
    ],
    ['for a system:* subject', () => hs256({ sub: 'system:timer' }), 'system:'],
  ])('given a token %s, then 401', async (_, make, says) => {
    const h = await app();
    const res = await h.call('GET', ORDERS, undefined, { authorization: `Bearer ${await make()}` });
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(problem.detail).toContain(says);
  });
});

describe('JWT settings', () => {
  it('refuses an HMAC secret shorter than 32 bytes at start', async () => {
    await expect(harness({ auth: () => ({ jwt: { secret: 'a' } }) })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('HS256 needs at least 32'),
    });
  });

  it('takes a configured maximum lifetime', async () => {
    const h = await harness({ auth: () => ({ jwt: { secret: SECRET, maxLifetimeSeconds: 60 } }) });
    const res = await h.call('GET', ORDERS, undefined, {
      authorization: `Bearer ${await hs256({ sub: 'u' }, '2m')}`,
    });
    expect((await problemOf(res)).detail).toContain('(60 s)');
  });
});

describe('watch streams end when the credential does', () => {
  /** Reads the stream to its end; resolves with the text and the time it took. */
  async function untilEnd(response: Response): Promise<{ text: string; ms: number }> {
    const started = Date.now();
    const text = await response.text();
    return { text, ms: Date.now() - started };
  }

  it('given a revoked API key, then its open watch stream ends within the recheck interval', async () => {
    const h = await harness({ auth: (store) => ({ apiKeys: store }), authRecheckMs: 50 });
    const issued = issueApiKey({ name: 'w', subject: 'watcher', roles: ['admin'], now: 1 });
    await h.store.putApiKey(issued.row);
    const headers = { authorization: `Bearer ${issued.token}` };
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } }, headers);
    const res = await h.call('GET', `${ORDERS}/o-1/watch`, undefined, headers);
    expect(res.status).toBe(200);
    const ended = untilEnd(res);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await h.store.revokeApiKey(issued.row.keyId, Date.now());
    const { text, ms } = await ended;
    expect(ms).toBeLessThan(2000);
    expect(text).toContain('event: unauthorized');
    expect(text).toContain('revoked');
  });

  it('given a JWT that expires, then its open watch stream ends when it does', async () => {
    const h = await harness({ auth: () => ({ jwt: { secret: SECRET } }), authRecheckMs: 50 });
    const token = await hs256({ sub: 'u', roles: ['admin'] }, '1s');
    const headers = { authorization: `Bearer ${token}` };
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } }, headers);
    const { text, ms } = await untilEnd(
      await h.call('GET', `${ORDERS}/o-1/watch`, undefined, headers),
    );
    expect(ms).toBeLessThan(2500);
    expect(text).toContain('has expired');
  });
});

describe('JWT with a JWKS', () => {
  let server: Server;
  let jwksUrl: string;
  let sign: (claims: Record<string, unknown>) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    sign = (claims) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer('https://id.test/')
        .setExpirationTime('5m')
        .sign(privateKey);
    server = createServer((_, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it('given a token signed by a key of the served JWKS, then it is accepted; a wrong issuer is not', async () => {
    const h = await harness({ auth: () => ({ jwt: { jwksUrl, issuer: 'https://id.test/' } }) });
    const good = await sign({ sub: 'user-2', roles: 'customer admin' });
    const { body, headers } = create(good);
    expect((await h.call('POST', ORDERS, body, headers)).status).toBe(201);
    expect((await h.engine.history('order', 'o-1')).events[0]?.actor).toEqual({
      id: 'user-2',
      roles: ['customer', 'admin'],
    });
    const strict = await harness({ auth: () => ({ jwt: { jwksUrl, issuer: 'https://other/' } }) });
    const res = await strict.call('GET', ORDERS, undefined, { authorization: `Bearer ${good}` });
    expect(await problemOf(res)).toMatchObject({ status: 401 });
  });

  it('given an inline JWKS, then tokens verify locally', async () => {
    const keys = (await (await fetch(jwksUrl)).json()) as { keys: [] };
    const h = await harness({ auth: () => ({ jwt: { jwks: keys } }) });
    const token = await sign({ sub: 'user-3', roles: ['customer'] });
    expect(
      (await h.call('GET', ORDERS, undefined, { authorization: `Bearer ${token}` })).status,
    ).toBe(200);
  });

  it('refuses an HS256 token where keys are asymmetric (no algorithm confusion)', async () => {
    const h = await harness({ auth: () => ({ jwt: { jwksUrl } }) });
    const res = await h.call('GET', ORDERS, undefined, {
      authorization: `Bearer ${await hs256({ sub: 'x' })}`,
    });
    expect(res.status).toBe(401);
  });
});
