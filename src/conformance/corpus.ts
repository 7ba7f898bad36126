/** The SCXML tests shipped by `@scion-scxml/test-framework`: each a `.scxml` document and a `.json` script. */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The script of one test: events to send and the configurations (atomic state ids) to expect. */
export interface TestScript {
  readonly initialConfiguration: readonly string[];
  readonly events: readonly {
    readonly event: { readonly name: string; readonly data?: unknown };
    readonly nextConfiguration: readonly string[];
    /** Milliseconds to let pass before sending the event. */
    readonly after?: number;
  }[];
}

export interface CorpusTest {
  /** `group/name`, e.g. `actionSend/send1` or `w3c-ecma/test144.txml`. */
  readonly name: string;
  readonly scxml: string;
  readonly script: TestScript;
}

/** The folder holding the test groups of the installed package. */
export function corpusDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@scion-scxml/test-framework/package.json')), 'test');
}

/** Every test that has both its document and its script, sorted by name. */
export function loadCorpus(dir = corpusDir()): CorpusTest[] {
  const tests: CorpusTest[] = [];
  for (const group of readdirSync(dir).sort()) {
    const files = new Set(readdirSync(join(dir, group)));
    for (const file of [...files].sort()) {
      if (!file.endsWith('.json')) continue;
      const base = file.slice(0, -'.json'.length);
      if (!files.has(`${base}.scxml`)) continue;
      tests.push({
        name: `${group}/${base}`,
        scxml: readFileSync(join(dir, group, `${base}.scxml`), 'utf8'),
        script: JSON.parse(readFileSync(join(dir, group, file), 'utf8')) as TestScript,
      });
    }
  }
  return tests;
}
