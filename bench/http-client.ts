/**
 * The bench's HTTP client: POSTs JSON and reads the JSON answer. `node:http`
 * over a keep-alive agent with one socket per caller by default, since
 * undici's `fetch` spends ~400 µs of CPU per transition on this machine (the
 * peers' harness uses it): with the client on the same two cores, that alone
 * capped the run at ~2,400 transitions/s, whatever the server did.
 * `BENCH_CLIENT=fetch` uses `fetch`, as the peers' harness does.
 */
import { Agent, request } from 'node:http';

export type ClientKind = 'node' | 'fetch';

export interface JsonClient {
  post(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  close(): void;
}

export function jsonClient(base: string, kind: ClientKind, sockets: number): JsonClient {
  if (kind === 'fetch') {
    return {
      async post(path, body) {
        const res = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: await res.json() };
      },
      close() {},
    };
  }
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  return {
    post: (path, body) =>
      new Promise((resolve, reject) => {
        const data = JSON.stringify(body);
        const req = request(
          {
            host: url.hostname,
            port: url.port,
            path,
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(data),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              try {
                const text = Buffer.concat(chunks).toString('utf8');
                resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null });
              } catch (error) {
                reject(error);
              }
            });
          },
        );
        req.on('error', reject);
        req.end(data);
      }),
    close: () => agent.destroy(),
  };
}
