/**
 * Runs the whole corpus. Opening and closing a SQLite store is the cost of a
 * Stator run (its checkpoint worker), so tests that never move the clock share
 * engines, a few batches side by side; tests with timers get one each.
 */
import { type CorpusTest, loadCorpus } from './corpus.js';
import { classify, type Prepared, prepare, type TestResult, usesTime } from './run.js';
import { runOnStator } from './run-stator.js';

export const DEFAULT_CONCURRENCY = 4;
const BATCHES = 4;

export async function runSuite(
  tests: readonly CorpusTest[] = loadCorpus(),
  concurrency = DEFAULT_CONCURRENCY,
): Promise<Map<string, TestResult>> {
  const results = new Map<string, TestResult>();
  const waiting: Extract<Prepared, { job: unknown }>[] = [];
  tests.forEach((test, i) => {
    // A machine name of its own per test, so tests can share an engine.
    const prepared = prepare(test, `scxml${i}`);
    if ('result' in prepared) results.set(test.name, prepared.result);
    else waiting.push(prepared);
  });
  const shared = waiting.filter((p) => !usesTime(p.test));
  const batches: (typeof waiting)[] = Array.from({ length: BATCHES }, () => []);
  shared.forEach((p, i) => {
    batches[i % BATCHES]?.push(p);
  });
  for (const p of waiting) if (usesTime(p.test)) batches.push([p]);
  await pool(
    batches.filter((b) => b.length > 0),
    concurrency,
    async (batch) => {
      const runs = await runOnStator(batch.map((p) => p.job));
      batch.forEach((p, i) => {
        const run = runs[i] ?? {
          steps: [],
          refusal: { code: 'THROWN', message: 'no run', at: '' },
        };
        results.set(p.test.name, classify(p.test, p.xstate, run));
      });
    },
  );
  return new Map([...results].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function pool<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i];
      if (item !== undefined) await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
