/**
 * A loopback TCP proxy in front of PostgreSQL that loses connections the way a
 * bad network or a failing-over database does: `cutAll()` drops every open
 * connection at once; `loseNextAnswer()` drops the next connection on which the
 * server answers, *instead of* passing the answer on — so a commit the server
 * has made reaches the client as a lost connection; `blackout(ms)` makes the
 * database unreachable for a while. Real sockets, real driver,
 * real server: nothing is mocked.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface FlakyProxy {
  /** `postgres://…` pointing at the proxy instead of the server. */
  readonly url: string;
  /** Drops every open connection. */
  cutAll(): void;
  /** The next answer the server sends, on any connection, is swallowed and that connection dropped. */
  loseNextAnswer(): void;
  /** Drops every connection and refuses new ones for `ms`: the database is unreachable. */
  blackout(ms: number): void;
  /** Connections dropped so far, and answers swallowed. */
  readonly stats: { cut: number; answersLost: number; connections: number };
  close(): Promise<void>;
}

interface Pair {
  readonly client: Socket;
  readonly server: Socket;
}

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const upstream = new URL(target);
  const host = upstream.hostname || '127.0.0.1';
  const port = Number(upstream.port || 5432);
  const pairs = new Set<Pair>();
  const stats = { cut: 0, answersLost: 0, connections: 0 };
  let loseAnswers = 0;
  let darkUntil = 0;

  const drop = (pair: Pair) => {
    if (!pairs.delete(pair)) return;
    stats.cut++;
    pair.client.destroy();
    pair.server.destroy();
  };

  const server: Server = createServer((client) => {
    if (Date.now() < darkUntil) {
      client.destroy();
      return;
    }
    stats.connections++;
    const upstreamSocket = connect({ host, port });
    const pair: Pair = { client, server: upstreamSocket };
    pairs.add(pair);
    client.on('data', (chunk) => {
      if (pairs.has(pair)) upstreamSocket.write(chunk);
    });
    upstreamSocket.on('data', (chunk) => {
      if (!pairs.has(pair)) return;
      if (loseAnswers > 0) {
        loseAnswers--;
        stats.answersLost++;
        drop(pair);
        return;
      }
      client.write(chunk);
    });
    const end = () => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstreamSocket.destroy();
    };
    client.on('close', end);
    upstreamSocket.on('close', end);
    client.on('error', end);
    upstreamSocket.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy did not bind');
  const proxied = new URL(target);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(address.port);

  return {
    url: proxied.toString(),
    stats,
    cutAll() {
      for (const pair of [...pairs]) drop(pair);
    },
    loseNextAnswer() {
      loseAnswers++;
    },
    blackout(ms) {
      darkUntil = Date.now() + ms;
      for (const pair of [...pairs]) drop(pair);
    },
    close() {
      for (const pair of [...pairs]) drop(pair);
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
