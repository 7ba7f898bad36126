import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { INSPECTOR_CSP } from './static.js';
import { harness } from './test-support/harness.js';

const INDEX = '<!doctype html><script type="module" src="/assets/index-abc123.js"></script>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});`;

/** A built app as Vite lays it out: index.html, hashed assets, a public file. */
function builtApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'stator-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'assets', 'index-abc123.js'), SCRIPT);
  writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return root;
}

const html = { accept: 'text/html,application/xhtml+xml' };

describe('the inspector at /', () => {
  it('serves index.html with no-cache, a strict CSP and nosniff', async () => {
    const h = await harness({ inspector: { root: builtApp() } });
    const res = await h.call('GET', '/', undefined, html);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(INSPECTOR_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(await res.text()).toBe(INDEX);
  });

  it('serves hashed assets as immutable, compressed when the client accepts gzip', async () => {
    const h = await harness({ inspector: { root: builtApp() } });
    const plain = await h.call('GET', '/assets/index-abc123.js');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await plain.text()).toBe(SCRIPT);
    const zipped = await h.call('GET', '/assets/index-abc123.js', undefined, {
      'accept-encoding': 'gzip, br',
    });
    expect(zipped.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await zipped.arrayBuffer())).toString()).toBe(SCRIPT);
    const favicon = await h.call('GET', '/favicon.svg');
    expect(favicon.headers.get('cache-control')).toBe('no-cache');
    expect(favicon.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers a repeat with the same ETag with 304', async () => {
    const h = await harness({ inspector: { root: builtApp() } });
    const first = await h.call('GET', '/', undefined, html);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    const again = await h.call('GET', '/', undefined, { ...html, 'if-none-match': etag });
    expect(again.status).toBe(304);
  });

  it('falls back to index.html for client routes, not for API paths or missing assets', async () => {
    const h = await harness({ inspector: { root: builtApp() } });
    const route = await h.call('GET', '/machines/order/instances/o-1', undefined, html);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(INDEX);
    for (const path of [
      '/v1/nothing',
      '/metrics',
      '/healthz/x',
      '/openapi.json/x',
      '/assets/gone.js',
    ]) {
      const res = await h.call('GET', path, undefined, html);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
    }
    // Clients that do not ask for HTML keep the problem+json 404.
    const api = await h.call('GET', '/machines/order');
    expect(api.status).toBe(404);
    expect(((await api.json()) as { code: string }).code).toBe('NOT_FOUND');
    expect((await h.call('GET', '/healthz')).status).toBe(200);
    expect((await h.call('GET', '/openapi.json')).status).toBe(200);
  });

  it('never serves files outside its root', async () => {
    const h = await harness({ inspector: { root: builtApp() } });
    for (const path of [
      '/../package.json',
      '/%2e%2e/package.json',
      '/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/%00',
    ]) {
      const res = await h.call('GET', path);
      expect(res.status, path).toBe(404);
    }
  });

  it('says how to build the app when it has not been built', async () => {
    const h = await harness({ inspector: { root: join(tmpdir(), 'stator-no-such-build') } });
    const res = await h.call('GET', '/', undefined, html);
    expect(res.status).toBe(503);
    expect(res.headers.get('content-security-policy')).toBe(INSPECTOR_CSP);
    expect(await res.text()).toContain('npm run build:web');
  });

  it('can be switched off', async () => {
    const h = await harness({ inspector: false });
    const res = await h.call('GET', '/', undefined, html);
    expect(res.status).toBe(404);
  });
});
