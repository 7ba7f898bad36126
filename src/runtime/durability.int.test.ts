import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../store/sqlite/sqlite-store.js';
import { createEngine } from './engine.js';
import { flipMachine } from './test-support/flip-machine.js';

const child = fileURLToPath(new URL('./test-support/crash-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stator-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the child until it has acknowledged `acks` sends, then SIGKILLs it. Returns what it acknowledged. */
function runAndKill(path: string, acks: number, offset: number): Promise<Map<string, number>> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path, '12', String(offset)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Map<string, number>();
    let seen = 0;
    let buffer = '';
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    proc.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [, id, seq] = line.split(' ');
        if (!id || !seq) continue;
        acked.set(id, Math.max(acked.get(id) ?? 0, Number(seq)));
        if (++seen === acks) proc.kill('SIGKILL');
      }
    });
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`child exited ${code} before the kill: ${stderr}`));
    });
  });
}

describe('durability under SIGKILL', () => {
  it('keeps every acknowledged send, writes nothing half, and leaves no sequence gaps', async () => {
    const path = join(dir, 'crash.db');
    const acked = new Map<string, number>();
    // Three runs over the same file: each kill lands mid-stream; later runs start on recovered data.
    for (const [round, acks] of [
      [0, 400],
      [1, 900],
      [2, 600],
    ] as const) {
      const got = await runAndKill(path, acks, round * 6);
      for (const [id, seq] of got) acked.set(id, Math.max(acked.get(id) ?? 0, seq));
    }

    const store = sqliteStore({ path });
    const engine = await createEngine({ store, machines: [flipMachine] });
    try {
      expect(acked.size).toBe(24);
      const emitsOf = new Map<string, number>();
      for (let after = 0; ; ) {
        const page = await store.readEmits(after, 1000);
        for (const e of page) emitsOf.set(e.id, (emitsOf.get(e.id) ?? 0) + 1);
        if (page.length < 1000) break;
        after = page.at(-1)?.position ?? after;
      }
      for (const [id, ackedSeq] of acked) {
        const key = { machine: 'flip', id };
        const state = await engine.get('flip', id);
        expect(state.seq).toBeGreaterThanOrEqual(ackedSeq);

        const events = (await engine.history('flip', id, { limit: 1000 })).events;
        expect(events.map((e) => e.seq)).toEqual(
          Array.from({ length: state.seq }, (_, i) => i + 1),
        );

        const applied = (await engine.audit('flip', id, { limit: 1000 })).entries.filter(
          (a) => a.outcome === 'applied',
        );
        expect(applied.map((a) => a.seq)).toEqual(events.map((e) => e.seq));

        const flips = state.seq - 1;
        expect(state.context).toEqual({ flips });
        expect(state.value).toBe(flips % 2 === 0 ? 'a' : 'b');
        const timers = await store.listTimers(key);
        expect(timers.map((t) => t.timerId)).toEqual([
          `xstate.after.${flips % 2 === 0 ? 60000 : 90000}.flip.${state.value}`,
        ]);
        expect(emitsOf.get(id) ?? 0).toBe(flips);

        const replayed = await engine.replay('flip', id);
        expect(replayed).toEqual({
          value: state.value,
          context: state.context,
          status: state.status,
          seq: state.seq,
        });
      }
    } finally {
      await engine.close();
    }
  }, 120_000);
});
