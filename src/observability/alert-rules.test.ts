import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineMetrics } from './metrics.js';
import { PROMETHEUS_MISSING, which } from './test-support/binaries.js';

const DIR = join(import.meta.dirname, '../../observability');
const RULES = join(DIR, 'prometheus/stator-alerts.yml');
const THRESHOLDS = join(DIR, 'prometheus/stator-thresholds.example.yml');
const RULE_TESTS = join(DIR, 'prometheus/stator-alerts.test.yml');
const DASHBOARD = join(DIR, 'grafana/stator-dashboard.json');
const promtool = which('promtool');

/** Every series name the engine's registry can expose (histograms as their three series). */
async function exposedNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await new EngineMetrics().registry.getMetricsAsJSON()) {
    if (String(m.type) === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    else names.add(m.name);
  }
  return names;
}

/** `stator_…` names in a PromQL text (recorded `stator:…` series are not metrics). */
const referenced = (text: string) => new Set(text.match(/\bstator_[a-z_]+\b/g) ?? []);

describe('shipped alert rules and dashboard', () => {
  it.skipIf(!promtool)(
    `promtool check rules accepts them (${promtool ? 'promtool found' : PROMETHEUS_MISSING})`,
    () => {
      const out = execFileSync(promtool!, ['check', 'rules', RULES, THRESHOLDS], {
        encoding: 'utf8',
      });
      expect(out).toContain('SUCCESS: 4 rules found');
    },
  );

  it.skipIf(!promtool)(
    `the alerts pass their promtool unit tests (${promtool ? 'promtool found' : PROMETHEUS_MISSING})`,
    () => {
      const out = execFileSync(promtool!, ['test', 'rules', RULE_TESTS], {
        encoding: 'utf8',
        cwd: join(DIR, 'prometheus'),
      });
      expect(out).toContain('SUCCESS');
    },
  );

  it('the rules reference only metrics the engine exposes', async () => {
    const names = await exposedNames();
    const used = referenced(readFileSync(RULES, 'utf8'));
    expect(used.size).toBeGreaterThan(3);
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
  });

  it('the dashboard is Grafana JSON whose queries reference only metrics the engine exposes', async () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { name: string }[] };
    };
    const names = await exposedNames();
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const used = new Set(exprs.flatMap((e) => [...referenced(e)]));
    expect([...used].filter((n) => !names.has(n))).toEqual([]);
    // The series are all on it.
    for (const name of [
      'stator_state_duration_seconds_bucket',
      'stator_oldest_in_state_seconds',
      'stator_dead_letters',
      'stator_timer_lateness_seconds_bucket',
      'stator_emit_subscriber_backlog',
    ]) {
      expect(used).toContain(name);
    }
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'machine']);
  });
});
