import type { Context } from 'hono';
import { errors, isStatorError } from '../core/errors.js';
import { PROBLEM_CODES } from './http-errors.js';
import { httpError } from './problem.js';

/** Default largest request body: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Deepest nesting of arrays and objects accepted in a body. */
export const MAX_JSON_DEPTH = 64;

/**
 * Reads a JSON request body: checks the media type (415), the size (413, also
 * while streaming, so a lying Content-Length cannot get past it), UTF-8 and
 * JSON syntax and nesting depth (400). An absent body is `undefined` when
 * `optional`, else a 400.
 */
export async function readJsonBody(c: Context, limit: number, optional = false): Promise<unknown> {
  const request = c.req.raw;
  const length = request.headers.get('content-length');
  if (Number(length ?? 'NaN') > limit) throw tooLarge(limit);
  // On Node's server a body cannot run past its Content-Length (the HTTP parser
  // stops it), so one that declares a length within the limit is read in one go
  // by the adapter, straight from the socket, without building a web stream.
  const bytes = await (length !== null && servedByNode(c)
    ? request.arrayBuffer().then((buffer) => new Uint8Array(buffer))
    : readBytes(request, limit)
  ).catch((error: unknown) => {
    if (isStatorError(error, PROBLEM_CODES)) throw error;
    // The client hung up (or the socket broke) before the body was whole: nothing to answer.
    throw errors.validation('The request body ended before it was complete.', {
      field: 'body',
    });
  });
  if (bytes.length === 0) {
    if (optional) return undefined;
    throw errors.validation('A JSON body is required, like {"type":"Pay"}.', { field: 'body' });
  }
  assertJsonMediaType(request.headers.get('content-type'));
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw errors.validation('The body is not valid UTF-8.', { field: 'body' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw errors.validation(`Malformed JSON body: ${(error as Error).message}.`, {
      field: 'body',
    });
  }
  assertDepth(value);
  return value;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Whether the request came through `@hono/node-server` (its bindings hold Node's request). */
function servedByNode(c: Context): boolean {
  return (c.env as { incoming?: unknown } | undefined)?.incoming !== undefined;
}

function assertJsonMediaType(header: string | null): void {
  const type = header?.split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type)) return;
  throw httpError(
    'UNSUPPORTED_MEDIA_TYPE',
    `Send the body as JSON with "Content-Type: application/json" (got ${header ? JSON.stringify(header) : 'none'}).`,
    { contentType: header },
  );
}

async function readBytes(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        throw tooLarge(limit);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function tooLarge(limit: number) {
  return httpError(
    'PAYLOAD_TOO_LARGE',
    `The body is larger than ${limit} bytes. Send less data per event, or raise --body-limit.`,
    { limit },
  );
}

function assertDepth(value: unknown): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      throw errors.validation(`The body nests deeper than ${MAX_JSON_DEPTH} levels.`, {
        field: 'body',
      });
    }
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
}
