/**
 * `npm run conformance`: runs the SCXML corpus and prints counts per class and
 * every non-passing test with its reason, grouped by root cause.
 * `npm run conformance -- --update` rewrites expected.json from this run
 * (review the diff: every change is a behaviour change).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { rootCause } from './causes.js';
import { CLASSIFICATIONS, type TestResult } from './run.js';
import { runSuite } from './suite.js';

export const EXPECTED_FILE = fileURLToPath(new URL('./expected.json', import.meta.url));

export function formatReport(results: readonly TestResult[]): string {
  const lines: string[] = ['SCXML conformance (W3C IRP + SCION, @scion-scxml/test-framework)', ''];
  for (const c of CLASSIFICATIONS) {
    const n = results.filter((r) => r.classification === c).length;
    lines.push(`  ${c.padEnd(13)} ${String(n).padStart(4)}`);
  }
  lines.push(`  ${'total'.padEnd(13)} ${String(results.length).padStart(4)}`);
  for (const c of CLASSIFICATIONS) {
    if (c === 'pass') continue;
    const groups = new Map<string, TestResult[]>();
    for (const r of results.filter((x) => x.classification === c)) {
      const key = rootCause(r);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    if (groups.size === 0) continue;
    lines.push('', `== ${c} ==`);
    for (const [cause, group] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
      lines.push('', `[${group.length}] ${cause}`);
      for (const r of group) {
        const where = r.step ? ` @ ${r.step}` : '';
        lines.push(`    ${r.name}${where}: ${r.reason ?? ''}`);
        if (r.stator) lines.push(`      Stator: ${r.stator}`);
      }
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const results = [...(await runSuite()).values()];
  console.log(formatReport(results));
  if (process.argv.includes('--update')) {
    const expected = Object.fromEntries(results.map((r) => [r.name, r.classification]));
    writeFileSync(EXPECTED_FILE, `${JSON.stringify(expected, null, 2)}\n`);
    console.log(`\nwrote ${EXPECTED_FILE}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
