import { PROBLEM_CODES, type ProblemCode } from '../server/http-errors.js';
import { CliError } from './exit-codes.js';

/** Where the server is and how to authenticate: `--url`/`STATOR_URL`, `--token`/`STATOR_TOKEN`. */
export interface ClientConfig {
  readonly url: string;
  readonly token: string | undefined;
  readonly fetch: typeof fetch;
}

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/**
 * A small client of the HTTP API: JSON in and out; a problem+json answer
 * becomes a CliError with the server's code, so exit codes follow it.
 */
export class StatorClient {
  readonly #config: ClientConfig;

  constructor(config: ClientConfig) {
    this.#config = config;
  }

  async json<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    const response = await this.raw(
      method,
      path,
      {
        ...headers,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body === undefined ? undefined : JSON.stringify(body),
    );
    return (await response.json()) as T;
  }

  /** The response of a request that succeeded (2xx); CliError otherwise. */
  async raw(
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Response> {
    let response: Response;
    const url = new URL(path, this.#config.url);
    try {
      response = await this.#config.fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(this.#config.token && { authorization: `Bearer ${this.#config.token}` }),
          ...headers,
        },
        ...(body !== undefined && { body }),
      });
    } catch (error) {
      throw new CliError(
        'UNREACHABLE',
        `Cannot reach the Stator server at ${this.#config.url} (${causeOf(error)}). Start it with \`stator serve <module>\` or pass --url.`,
      );
    }
    if (response.ok) return response;
    throw await problemError(response);
  }
}

async function problemError(response: Response): Promise<CliError> {
  const text = await response.text().catch(() => '');
  let problem: { code?: unknown; detail?: unknown; details?: unknown } = {};
  try {
    problem = JSON.parse(text);
  } catch {
    // not problem+json: report the status
  }
  const code = (PROBLEM_CODES as readonly string[]).includes(String(problem.code))
    ? (problem.code as ProblemCode)
    : 'INTERNAL_ERROR';
  const message =
    typeof problem.detail === 'string'
      ? problem.detail
      : `The server answered ${response.status} ${response.statusText}.`;
  const details =
    typeof problem.details === 'object' && problem.details !== null
      ? (problem.details as Record<string, unknown>)
      : {};
  return new CliError(code, message, { ...details, status: response.status });
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** `/v1/machines/{machine}/instances[/{id}]`, encoded. */
export function instancePath(machine: string, id?: string, rest = ''): string {
  const base = `/v1/machines/${encodeURIComponent(machine)}/instances`;
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}${rest}`;
}

/**
 * Reads an instance's paged log (`/history`, `/audit`): one page after
 * `after`, or with `all` every page to the end. Returns the items and the
 * `next` position of the last page read (null at the end).
 */
export async function readInstancePages<T>(
  client: StatorClient,
  path: string,
  field: string,
  options: { readonly after: number; readonly limit: number; readonly all: boolean },
): Promise<{ items: T[]; next: number | null }> {
  const items: T[] = [];
  let after: number | null = options.after;
  let next: number | null = null;
  do {
    type Page = Record<string, unknown> & { next: number | null };
    const page: Page = await client.json<Page>(
      'GET',
      `${path}?after=${after}&limit=${options.limit}`,
    );
    items.push(...((page[field] as T[] | undefined) ?? []));
    next = page.next;
    after = next;
  } while (options.all && after !== null);
  return { items, next };
}
