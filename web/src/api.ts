import { getToken } from './auth';
import type {
  AuditEntry,
  CommandResult,
  DeadLetter,
  HistoryPage,
  InstanceAccess,
  InstancePage,
  InstanceState,
  InstanceStatus,
  MachineDetail,
  MachineSummary,
  MigrationResult,
  PastState,
  PendingWork,
  Problem,
  StateValue,
  VersionList,
  WatchMessage,
  WhoAmI,
} from './types';

/**
 * Every call the inspector makes to the HTTP API, and nothing else: views
 * import from here, so when the server grows a route (counts per state,
 * replay at seq, dead letters) only this module changes.
 */

/** A failed request: the server's problem document (or a stand-in for a network failure). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string {
    return this.problem.code;
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = getToken();
  return {
    accept: 'application/json',
    ...(token && { authorization: `Bearer ${token}` }),
    ...extra,
  };
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: headers(init.headers as Record<string, string>) });
  } catch (error) {
    throw new ApiError({
      type: 'about:blank',
      title: 'Server unreachable',
      status: 0,
      code: 'UNREACHABLE',
      detail: `Could not reach the server (${error instanceof Error ? error.message : String(error)}). Is stator serve running?`,
    });
  }
  if (res.ok) return (await res.json()) as T;
  throw new ApiError(await problemOf(res));
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (typeof body.code === 'string' && typeof body.detail === 'string') return body as Problem;
  } catch {
    // not JSON: fall through
  }
  return {
    type: 'about:blank',
    title: res.statusText || 'Error',
    status: res.status,
    code: `HTTP_${res.status}`,
    detail: text.slice(0, 300) || `The server answered ${res.status}.`,
  };
}

const enc = encodeURIComponent;
const machinePath = (machine: string) => `/v1/machines/${enc(machine)}`;
const instancePath = (machine: string, id: string) =>
  `${machinePath(machine)}/instances/${enc(id)}`;

export function listMachines(): Promise<MachineSummary[]> {
  return request<{ machines: MachineSummary[] }>('/v1/machines').then((r) => r.machines);
}

const details = new Map<string, Promise<MachineDetail>>();

/**
 * One machine's detail (chart, schemas) for a version (default: the newest);
 * cached for the page's life, as a registered version does not change while served.
 */
export function getMachine(machine: string, version?: string): Promise<MachineDetail> {
  const key = JSON.stringify([machine, version ?? null]);
  let hit = details.get(key);
  if (!hit) {
    const q = version === undefined ? '' : `?version=${enc(version)}`;
    hit = request<MachineDetail>(`${machinePath(machine)}${q}`);
    hit.catch(() => details.delete(key));
    details.set(key, hit);
  }
  return hit;
}

export interface ListFilter {
  /** A state path: `paid` matches `paid.packed`. */
  readonly state?: string;
  readonly status?: InstanceStatus;
  /** Milliseconds. */
  readonly minTimeInState?: number;
  /** Ids starting with this (filtered by the server, over its id index). */
  readonly idPrefix?: string;
  readonly version?: string;
}

export function listInstances(
  machine: string,
  filter: ListFilter,
  page: { cursor?: string | null; limit?: number } = {},
): Promise<InstancePage> {
  const q = new URLSearchParams();
  if (filter.state) q.set('state', filter.state);
  if (filter.status) q.set('status', filter.status);
  if (filter.minTimeInState !== undefined && filter.minTimeInState > 0) {
    q.set('minTimeInState', String(Math.round(filter.minTimeInState)));
  }
  q.set('limit', String(page.limit ?? 200));
  if (filter.idPrefix) q.set('idPrefix', filter.idPrefix);
  if (filter.version) q.set('version', filter.version);
  if (page.cursor) q.set('cursor', page.cursor);
  return request<InstancePage>(`${machinePath(machine)}/instances?${q}`);
}

export function getInstance(machine: string, id: string): Promise<InstanceState> {
  return request<InstanceState>(instancePath(machine, id));
}

export function getHistory(
  machine: string,
  id: string,
  after = 0,
  limit = 1000,
): Promise<HistoryPage> {
  return request<HistoryPage>(`${instancePath(machine, id)}/history?after=${after}&limit=${limit}`);
}

/** The machine's versions with their live instances by state. */
export function getVersions(machine: string): Promise<VersionList> {
  return request<VersionList>(`${machinePath(machine)}/versions`);
}

/** Moves an instance to another version (or works the move out, with `dryRun`). */
export function migrateInstance(
  machine: string,
  id: string,
  body: { to: string; dryRun: boolean },
  idempotencyKey?: string,
): Promise<MigrationResult> {
  return request<MigrationResult>(`${instancePath(machine, id)}/migrate`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(idempotencyKey && { 'idempotency-key': idempotencyKey }),
    },
    body: JSON.stringify(body),
  });
}

/** Dead timers and effects the caller may read (the newest store-wide scan, at most `limit`). */
export function listDeadLetters(
  limit = 100,
): Promise<{ deadLetters: DeadLetter[]; truncated: boolean }> {
  return request(`/v1/dead-letters?limit=${limit}`);
}

/** Puts a dead letter back in line (due now), or deletes it (audited on its instance). */
export function actOnDeadLetter(ref: string, action: 'retry' | 'discard'): Promise<unknown> {
  if (!ref.startsWith('/v1/dead-letters/')) throw new Error(`not a dead-letter path: ${ref}`);
  return request(`${ref}/${action}`, { method: 'POST' });
}

/** What the instance waits for now: timers and unfinished effects. */
export function getPending(machine: string, id: string): Promise<PendingWork> {
  return request<PendingWork>(`${instancePath(machine, id)}/pending`);
}

/** The instance's audit log: every decision, rejections and discards included. */
export async function getAudit(machine: string, id: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for (let after = 0; out.length < 20_000; ) {
    const page = await request<{ entries: AuditEntry[]; next: number | null }>(
      `${instancePath(machine, id)}/audit?after=${after}&limit=1000`,
    );
    out.push(...page.entries);
    if (page.next === null) break;
    after = page.next;
  }
  return out;
}

export interface BulkSendPage {
  readonly processed: number;
  readonly sent: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly failures: readonly {
    readonly id: string;
    readonly code: string;
    readonly message: string;
  }[];
  readonly next: string | null;
}

/** One page of a bulk send: the event to the next `limit` instances the selection finds. */
export function bulkSend(
  machine: string,
  body: {
    operation: string;
    event: { type: string } & Record<string, unknown>;
    state?: string;
    status?: InstanceStatus;
    minTimeInState?: number;
    cursor?: string;
    limit?: number;
  },
): Promise<BulkSendPage> {
  return request<BulkSendPage>(`${machinePath(machine)}/bulk/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const past = new Map<string, Promise<PastState>>();

/**
 * The instance as it was right after event `seq` (rebuilt by the server's
 * replay). Cached: a past state never changes. Only the last 200 are kept.
 */
export function getStateAt(machine: string, id: string, seq: number): Promise<PastState> {
  const key = JSON.stringify([machine, id, seq]);
  let hit = past.get(key);
  if (!hit) {
    hit = request<PastState>(`${instancePath(machine, id)}/state?seq=${seq}`);
    hit.catch(() => past.delete(key));
    past.set(key, hit);
    if (past.size > 200) past.delete(past.keys().next().value as string);
  }
  return hit;
}

/** Who the caller is and what its roles allow, per machine. */
export function whoAmI(): Promise<WhoAmI> {
  return request<WhoAmI>('/v1/whoami');
}

/** What the caller may send to the instance now (roles and guards). */
export function getPermissions(machine: string, id: string): Promise<InstanceAccess> {
  return request<InstanceAccess>(`${instancePath(machine, id)}/permissions`);
}

export function sendEvent(
  machine: string,
  id: string,
  event: { type: string } & Record<string, unknown>,
  idempotencyKey: string,
): Promise<CommandResult> {
  return request<CommandResult>(`${instancePath(machine, id)}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(event),
  });
}

export function createInstance(
  machine: string,
  body: { id?: string; input?: unknown },
  idempotencyKey: string,
): Promise<CommandResult> {
  return request<CommandResult>(`${machinePath(machine)}/instances`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
}

// ---------------------------------------------------------------------------
// Counts per state: paged from the list route for now (a counts route will
// replace this function, and only this function).

export interface StateStats {
  /** Instances in this state or one of its substates. */
  count: number;
  /** The active instance longest in this state (for leaves: in exactly this state). */
  oldest?: { readonly id: string; readonly stateEnteredAt: number };
}

export interface MachineStats {
  readonly total: number;
  /** True when the machine has more instances than were read. */
  readonly truncated: boolean;
  readonly byStatus: Readonly<Record<InstanceStatus, number>>;
  /** By dotted state path (`paid`, `paid.packed`); parents count their substates' instances. */
  readonly byState: ReadonlyMap<string, StateStats>;
  readonly readAt: number;
}

/** Dotted paths of a value's leaves and every ancestor on the way: `{paid:'packed'}` → `paid`, `paid.packed`. */
export function statePaths(value: StateValue): string[] {
  const out: string[] = [];
  const walk = (v: StateValue, prefix: string) => {
    if (typeof v === 'string') {
      out.push(prefix ? `${prefix}.${v}` : v);
      return;
    }
    for (const [key, sub] of Object.entries(v)) {
      const path = prefix ? `${prefix}.${key}` : key;
      out.push(path);
      walk(sub, path);
    }
  };
  walk(value, '');
  return out;
}

export function tally(
  instances: readonly InstanceState[],
  stats: Map<string, StateStats>,
  byStatus: Record<InstanceStatus, number>,
): void {
  for (const s of instances) {
    byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    for (const path of statePaths(s.value)) {
      const entry = stats.get(path) ?? { count: 0 };
      entry.count++;
      if (
        s.status === 'active' &&
        (!entry.oldest || s.stateEnteredAt < entry.oldest.stateEnteredAt)
      ) {
        entry.oldest = { id: s.id, stateEnteredAt: s.stateEnteredAt };
      }
      stats.set(path, entry);
    }
  }
}

/** Counts per state and status, and the oldest active instance per state, read in pages of 1000. */
export async function machineStats(machine: string, max = 20_000): Promise<MachineStats> {
  const byState = new Map<string, StateStats>();
  const byStatus: Record<InstanceStatus, number> = { active: 0, done: 0, error: 0, stopped: 0 };
  let total = 0;
  let cursor: string | null = null;
  do {
    const page: InstancePage = await listInstances(machine, {}, { cursor, limit: 1000 });
    tally(page.instances, byState, byStatus);
    total += page.instances.length;
    cursor = page.next;
  } while (cursor && total < max);
  return { total, truncated: cursor !== null, byStatus, byState, readAt: Date.now() };
}

// ---------------------------------------------------------------------------
// The watch stream. EventSource cannot send an Authorization header, so this
// reads the SSE stream with fetch, and resumes with Last-Event-ID itself.

export interface WatchHandlers {
  onMessage(message: WatchMessage): void;
  onStatus?(status: 'connecting' | 'live' | 'ended' | 'error', detail?: string): void;
}

/** Follows an instance's transitions after `lastSeq`; reconnects (resuming) until stopped or the instance is done. */
export function watchInstance(
  machine: string,
  id: string,
  lastSeq: number,
  handlers: WatchHandlers,
): () => void {
  const abort = new AbortController();
  let last = lastSeq;
  let retryMs = 1000;
  let ended = false;
  const run = async () => {
    while (!abort.signal.aborted && !ended) {
      handlers.onStatus?.('connecting');
      try {
        const res = await fetch(`${instancePath(machine, id)}/watch`, {
          headers: headers({ accept: 'text/event-stream', 'last-event-id': String(last) }),
          signal: abort.signal,
        });
        if (!res.ok || !res.body) {
          const problem = await problemOf(res);
          handlers.onStatus?.('error', problem.detail);
          if (res.status >= 400 && res.status < 500) return;
        } else {
          handlers.onStatus?.('live');
          retryMs = 1000;
          for await (const message of sseMessages(res.body, abort.signal)) {
            if (message.event !== 'transition') continue;
            const data = JSON.parse(message.data) as WatchMessage;
            if (data.event.seq <= last) continue;
            last = data.event.seq;
            handlers.onMessage(data);
            if (data.state && data.state.status !== 'active') ended = true;
          }
          // A stream also ends quietly when the instance finished meanwhile (its
          // last events come without state): ask before reconnecting.
          if (!ended) ended = (await getInstance(machine, id)).status !== 'active';
          if (ended) {
            handlers.onStatus?.('ended');
            return;
          }
        }
      } catch (error) {
        if (abort.signal.aborted) return;
        handlers.onStatus?.('error', error instanceof Error ? error.message : String(error));
      }
      await new Promise((r) => setTimeout(r, retryMs));
      retryMs = Math.min(retryMs * 2, 15_000);
    }
  };
  void run();
  return () => abort.abort();
}

interface SseMessage {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/** Parses a text/event-stream body into messages (comments and retry hints skipped). */
export async function* sseMessages(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  const reader = body
    .pipeThrough(new TextDecoderStream() as ReadableWritablePair<string, Uint8Array>)
    .getReader();
  const onAbort = () => void reader.cancel().catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      for (let end = buffer.search(/\r?\n\r?\n/); end >= 0; end = buffer.search(/\r?\n\r?\n/)) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
        const message = parseBlock(block);
        if (message) yield message;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function parseBlock(block: string): SseMessage | undefined {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  return data.length > 0 ? { event, data: data.join('\n'), id } : undefined;
}

/** A fresh idempotency key for one user action (a retry of the same click reuses it). */
export function newIdempotencyKey(prefix: string): string {
  return `${prefix}-${crypto.randomUUID()}`;
}
