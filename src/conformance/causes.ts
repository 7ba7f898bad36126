/**
 * Groups non-passing results by root cause: the Stator message or difference
 * behind them with the test-specific parts (ids, numbers, quoted names) taken
 * out, so one fix shows up as one group.
 */
import type { TestResult } from './run.js';

interface Rule {
  readonly pattern: RegExp;
  readonly cause: string;
}

const RULES: readonly Rule[] = [
  {
    pattern: /send to "x:\d+" from \S+ dropped: no durable target/,
    cause:
      'sendTo(self) dropped: the send targets the step scope\'s throwaway actor id, not the instance ("dropped: no durable target")',
  },
  {
    pattern: /Unable to send event to actor '#_parent'/,
    cause:
      "sendParent from a durable child throws in Stator's step (\"Unable to send event to actor '#_parent'\"): the child's start is dead-lettered",
  },
  {
    pattern: /No instance "[^"]+" of machine "[^"]+"\. Create it first/,
    cause: 'stopping a durable child that never started is dead-lettered (INSTANCE_NOT_FOUND)',
  },
  {
    pattern: /context: XState .*"\$(function|date|class|number|bigint)"/,
    cause: 'a non-JSON value in context (function, Date, class instance) is lost when persisted',
  },
  {
    pattern: /NON_DURABLE_MACHINE.*inline action function/s,
    cause: 'NON_DURABLE_MACHINE: inline action function',
  },
  {
    pattern: /XState actor errored/,
    cause: 'XState errors the actor where SCXML raises error.execution and goes on',
  },
  {
    pattern: /^configuration/,
    cause: 'XState reaches another configuration than SCXML expects',
  },
];

export function rootCause(result: TestResult): string {
  const text = [result.reason ?? '', ...(result.notes ?? [])].join('\n');
  for (const rule of RULES) if (rule.pattern.test(text)) return rule.cause;
  return normalize(result.reason ?? result.classification);
}

/** The message without what differs from test to test. */
export function normalize(text: string): string {
  return text
    .replace(/"[^"]*"/g, '"…"')
    .replace(/'[^']*'/g, "'…'")
    .replace(/\b\d+\b/g, 'N')
    .slice(0, 240);
}
