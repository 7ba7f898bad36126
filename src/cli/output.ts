import { SingleBar } from 'cli-progress';
import { formatStateValue } from '../core/state-value.js';
import type { InstanceState } from '../runtime/types.js';
import type { CliIo } from './io.js';

/** Prints results: JSON with `--json`, short human lines otherwise. */
export class Output {
  readonly #io: CliIo;
  readonly json: boolean;

  constructor(io: CliIo, json: boolean) {
    this.#io = io;
    this.json = json;
  }

  /** `value` as JSON in `--json` mode, else the human text. */
  result(value: unknown, human: () => string): void {
    this.#io.stdout(this.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
  }

  line(text: string): void {
    this.#io.stdout(`${text}\n`);
  }

  note(text: string): void {
    this.#io.stderr(`${text}\n`);
  }

  /** A progress bar on stderr when it is a terminal and output is not JSON; a no-op otherwise. */
  progress(total: number, label: string): Progress {
    if (!this.#io.interactive || this.json) return { tick: () => {}, stop: () => {} };
    const bar = new SingleBar({
      format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    });
    bar.start(total, 0);
    return { tick: (n = 1) => bar.increment(n), stop: () => bar.stop() };
  }
}

export interface Progress {
  tick(n?: number): void;
  stop(): void;
}

/** `order/o-1 v1 paid.awaitingPacking (active) seq 2` and the context. */
export function describeState(s: InstanceState): string {
  return `${s.machine}/${s.id} v${s.version} ${formatStateValue(s.value)} (${s.status}) seq ${s.seq}\ncontext: ${JSON.stringify(s.context)}`;
}

/** Rows as aligned columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (r: readonly string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}

export const isoTime = (ms: number): string => new Date(ms).toISOString();
