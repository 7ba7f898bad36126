/**
 * The SCXML conformance suite: one test per W3C IRP / SCION test, each checked
 * against the classification recorded in expected.json. Any change, better or
 * worse, fails here until expected.json is updated (`npm run conformance -- --update`)
 * and the change reviewed.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from './corpus.js';
import { EXPECTED_FILE } from './report.js';
import { CLASSIFICATIONS, type TestResult } from './run.js';
import { runSuite } from './suite.js';

const tests = loadCorpus();
const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as Record<string, string>;
let results: Map<string, TestResult>;

beforeAll(async () => {
  results = await runSuite(tests);
}, 120_000);

describe('SCXML conformance (expected.json)', () => {
  it('expected.json names exactly the tests of the corpus, each with a known class', () => {
    expect(Object.keys(expected).sort()).toEqual(tests.map((t) => t.name).sort());
    for (const c of Object.values(expected)) expect(CLASSIFICATIONS).toContain(c);
  });

  for (const test of tests) {
    it(test.name, () => {
      const result = results.get(test.name);
      const why = [result?.reason, result?.step && `at ${result.step}`, ...(result?.notes ?? [])]
        .filter(Boolean)
        .join('\n');
      expect(result?.classification, why).toBe(expected[test.name]);
    });
  }
});
