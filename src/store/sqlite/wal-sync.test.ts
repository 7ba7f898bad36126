import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { promiseState } from '../test-support/promise-state.js';
import { type FileSync, WalSync } from './wal-sync.js';

/** A FileSync whose background flushes finish only when the test says so. */
function manualSync() {
  const pending: ((error: Error | null) => void)[] = [];
  const calls = { background: 0, now: 0 };
  let failNow: Error | undefined;
  const sync: FileSync = {
    background: (_fd, done) => {
      calls.background++;
      pending.push(done);
    },
    now: () => {
      calls.now++;
      if (failNow) throw failNow;
    },
  };
  const finish = async (error: Error | null = null) => {
    const done = pending.shift();
    if (!done) throw new Error('no flush is running');
    done(error);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    sync,
    calls,
    finish,
    running: () => pending.length,
    failInline: (error: Error) => {
      failNow = error;
    },
  };
}

describe('WalSync', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function walFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'stator-walsync-'));
    dirs.push(dir);
    const path = join(dir, 'x.db-wal');
    writeFileSync(path, 'frames');
    return path;
  }

  it('acknowledges a batch only after a flush that began after it ended', async () => {
    const fake = manualSync();
    const wal = new WalSync(0, fake.sync);
    const first = wal.written(false);
    expect(await promiseState(first)).toBe('pending');
    expect(fake.running()).toBe(1);

    // Ends while the first flush runs: that flush may have missed it.
    const second = wal.written(false);
    await fake.finish();
    expect(await promiseState(first)).toBe('resolved');
    expect(await promiseState(second)).toBe('pending');
    expect(fake.running()).toBe(1);
    await fake.finish();
    expect(await promiseState(second)).toBe('resolved');
    expect(fake.running()).toBe(0);
  });

  it('coalesces the writes that end during one flush into the next', async () => {
    const fake = manualSync();
    const wal = new WalSync(0, fake.sync);
    const first = wal.written(false);
    const during = [wal.written(false), wal.written(false), wal.written(true)];
    await fake.finish();
    await fake.finish();
    expect(await promiseState(first)).toBe('resolved');
    for (const write of during) expect(await promiseState(write)).toBe('resolved');
    expect(fake.calls).toEqual({ background: 2, now: 0 });
  });

  it('flushes a lone write inline when no flush is running', async () => {
    const fake = manualSync();
    const wal = new WalSync(0, fake.sync);
    expect(await promiseState(wal.written(true))).toBe('resolved');
    expect(fake.calls).toEqual({ background: 0, now: 1 });
  });

  it('makes a read wait for what was written before it, and only that', async () => {
    const fake = manualSync();
    const wal = new WalSync(0, fake.sync);
    expect(await promiseState(wal.barrier())).toBe('resolved');
    void wal.written(false);
    const read = wal.barrier();
    expect(await promiseState(read)).toBe('pending');
    await fake.finish();
    expect(await promiseState(read)).toBe('resolved');
  });

  it('fails the waiting and every later write and read once a flush failed', async () => {
    const fake = manualSync();
    const wal = new WalSync(0, fake.sync);
    const write = expect(wal.written(false)).rejects.toThrow('EIO');
    const read = expect(wal.barrier()).rejects.toThrow('EIO');
    await fake.finish(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
    await write;
    await read;
    await expect(wal.written(true)).rejects.toThrow('EIO');
    await expect(wal.barrier()).rejects.toThrow('EIO');
    expect(fake.calls).toEqual({ background: 1, now: 0 });
  });

  it('fails when an inline flush throws', async () => {
    const fake = manualSync();
    fake.failInline(new Error('ENOSPC'));
    const wal = new WalSync(0, fake.sync);
    await expect(wal.written(true)).rejects.toThrow('ENOSPC');
    await expect(wal.barrier()).rejects.toThrow('ENOSPC');
  });

  it('flushes a real file on the thread pool and closes it after the last flush', async () => {
    const wal = WalSync.open(walFile());
    await Promise.all([wal.written(false), wal.written(false), wal.written(true)]);
    await wal.close();
    await wal.close();
  });

  it('waits for the running flush before closing the file', async () => {
    const fake = manualSync();
    const fd = openSync(walFile(), 'r');
    const wal = new WalSync(fd, fake.sync);
    void wal.written(false);
    const closing = wal.close();
    expect(await promiseState(closing)).toBe('pending');
    await fake.finish();
    await closing;
    expect(() => closeSync(fd)).toThrow(/EBADF/);
  });
});
