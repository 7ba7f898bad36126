import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Context, Hono } from 'hono';
import type { AppEnv } from './context.js';

/** Where the inspector's built files are, and whether to serve them. */
export interface InspectorOptions {
  /** The `vite build` output directory. Default: the package's `web/dist`. */
  readonly root?: string;
}

/** `web/dist` of this package: two levels up from both `src/server` and `dist/server`. */
export const DEFAULT_INSPECTOR_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Paths that belong to the API: never answered with the app, whatever the Accept header. */
const API_PREFIXES = ['/v1/', '/metrics', '/healthz', '/openapi.json'];

/**
 * The app only talks to its own origin and loads nothing inline: no inline
 * scripts or styles (React sets styles through the CSSOM, which CSP allows),
 * no remote origins, no framing.
 */
export const INSPECTOR_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const COMPRESSIBLE = /^(text\/|application\/(json|manifest)|image\/svg)/;

interface Loaded {
  readonly body: Uint8Array;
  readonly gzip: Uint8Array | undefined;
  readonly etag: string;
  readonly type: string;
  readonly mtimeMs: number;
}

/**
 * Serves the built inspector at `/`: files under `assets/` (content-hashed by
 * Vite) as immutable for a year, everything else (`index.html` above all)
 * with `no-cache` and an ETag. A browser navigation (`Accept: text/html`) to a
 * path that is not a file gets `index.html`, so client routes survive a
 * reload; API paths never do, and other clients keep the problem+json 404.
 * When the app has not been built, navigations get a page saying how to build it.
 */
export function inspectorRoutes(app: Hono<AppEnv>, options: InspectorOptions = {}): void {
  const root = normalize(options.root ?? DEFAULT_INSPECTOR_ROOT);
  const cache = new Map<string, Loaded>();

  const load = async (file: string): Promise<Loaded | undefined> => {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === info.mtimeMs) return hit;
    const body = new Uint8Array(await readFile(file));
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const loaded: Loaded = {
      body,
      gzip: COMPRESSIBLE.test(type) && body.length > 1024 ? gzipSync(body) : undefined,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      type,
      mtimeMs: info.mtimeMs,
    };
    cache.set(file, loaded);
    return loaded;
  };

  app.get('*', async (c) => {
    const path = c.req.path;
    if (API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p))) {
      return c.notFound();
    }
    const file = resolveInside(root, path);
    const asset = file && !file.endsWith(sep) ? await load(file) : undefined;
    if (asset) {
      const immutable = path.startsWith('/assets/');
      return send(c, asset, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    const navigation = (c.req.header('accept') ?? '').includes('text/html');
    if (!navigation || path.startsWith('/assets/')) return c.notFound();
    const index = await load(join(root, 'index.html'));
    if (!index) return notBuilt(c);
    return send(c, index, 'no-cache');
  });
}

/** The file for a URL path inside root, or undefined for traversal attempts. */
function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = normalize(join(root, relative));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

function securityHeaders(c: Context<AppEnv>): void {
  c.header('content-security-policy', INSPECTOR_CSP);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'no-referrer');
  c.header('x-frame-options', 'DENY');
}

function send(c: Context<AppEnv>, asset: Loaded, cacheControl: string): Response {
  securityHeaders(c);
  c.header('cache-control', cacheControl);
  c.header('etag', asset.etag);
  c.header('vary', 'accept-encoding');
  if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
  c.header('content-type', asset.type);
  const gzip = asset.gzip && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  if (gzip) c.header('content-encoding', 'gzip');
  const body = gzip && asset.gzip ? asset.gzip : asset.body;
  return c.body(body as Uint8Array<ArrayBuffer>, 200);
}

function notBuilt(c: Context<AppEnv>): Response {
  securityHeaders(c);
  c.header('cache-control', 'no-store');
  return c.html(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Stator inspector not built</title>
<body><h1>The inspector is not built</h1>
<p>This server serves its web UI from <code>web/dist</code>, which does not exist yet.
Run <code>npm run build:web</code> (or <code>npm start</code>, which builds it when missing) and reload.
The HTTP API works meanwhile: see <a href="/openapi.json">/openapi.json</a>.</p></body></html>`,
    503,
  );
}
