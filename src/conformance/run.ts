/**
 * One conformance test end to end: convert the SCXML document, run the machine
 * on XState in memory and on Stator, compare both with each other at every
 * step and XState with the script's expected configurations, and classify.
 */
import type { CorpusTest } from './corpus.js';
import { atomicStates, difference, type Observation } from './observation.js';
import type { StatorJob, StatorRun } from './run-stator.js';
import { message, runOnXState, type XStateRun } from './run-xstate.js';
import { scxmlToXState, xstateStateId } from './scxml-to-xstate.js';

export const CLASSIFICATIONS = ['pass', 'diverges', 'refused', 'skipped', 'xstate-fails'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export interface TestResult {
  readonly name: string;
  readonly classification: Classification;
  /** Why, for anything but a pass: the first thing that differed, the error, or the skip reason. */
  readonly reason?: string;
  /** The step it happened at. */
  readonly step?: string;
  /** What Stator said around it: dropped sends, dead letters, rejections. */
  readonly notes?: readonly string[];
  /** For xstate-fails: how Stator fared against XState on the same machine. */
  readonly stator?: string;
}

/** A test converted and run on XState, waiting for its Stator run; or already classified. */
export type Prepared =
  | { readonly test: CorpusTest; readonly job: StatorJob; readonly xstate: XStateRun }
  | { readonly test: CorpusTest; readonly result: TestResult };

/** Converts the test's document (under machine name `id`) and runs it on XState. */
export function prepare(test: CorpusTest, id: string): Prepared {
  const { name } = test;
  let conversion: ReturnType<typeof scxmlToXState>;
  try {
    conversion = scxmlToXState(test.scxml, { id });
  } catch (error) {
    const reason = `XState refused the machine: ${message(error)}`;
    return { test, result: { name, classification: 'xstate-fails', reason } };
  }
  if (conversion.skipped !== undefined)
    return { test, result: { name, classification: 'skipped', reason: conversion.skipped } };
  const { machine } = conversion;
  try {
    return {
      test,
      job: { machine, script: test.script },
      xstate: runOnXState(machine, test.script),
    };
  } catch (error) {
    const reason = `XState threw: ${message(error)}`;
    return { test, result: { name, classification: 'xstate-fails', reason } };
  }
}

/** Whether the test moves the clock (delayed sends, or waits in its script): it needs an engine of its own. */
export function usesTime(test: CorpusTest): boolean {
  return /\bdelay(expr)?\s*=/.test(test.scxml) || test.script.events.some((e) => e.after);
}

export function classify(test: CorpusTest, xstate: XStateRun, stator: StatorRun): TestResult {
  const { name } = test;
  const verdict = judgeStator(xstate, stator);
  const wrong = xstateFailure(test, xstate);
  if (wrong !== undefined) {
    return {
      name,
      classification: 'xstate-fails',
      ...wrong,
      stator: verdict ? `${verdict.classification}: ${verdict.reason}` : 'same as XState',
    };
  }
  return verdict ? { name, ...verdict } : { name, classification: 'pass' };
}

/**
 * Where XState does not reach the script's expected configuration (or errors).
 * The W3C IRP tests pass by ending in `pass`; the intermediate configurations
 * of their scripts record SCION's timing (it delivers a `<send>` to the session
 * itself after reporting the step; XState within it), so only the last one is
 * checked. The SCION groups are checked at every step.
 */
function xstateFailure(
  test: CorpusTest,
  run: XStateRun,
): { reason: string; step?: string } | undefined {
  if (run.error !== undefined) return { reason: `XState actor errored: ${run.error}` };
  const observed = run.steps.filter((s) => s.label !== 'created');
  const expected = [
    test.script.initialConfiguration,
    ...test.script.events.map((e) => e.nextConfiguration),
  ];
  const first = test.name.startsWith('w3c-ecma/') ? expected.length - 1 : 0;
  for (const [i, want] of expected.entries()) {
    if (i < first) continue;
    const got = atomicStates(observed[i]?.value);
    const wanted = want.map(xstateStateId).sort();
    if (got.join(' ') !== wanted.join(' '))
      return {
        reason: `configuration [${got.join(', ')}], expected [${wanted.join(', ')}]`,
        step: observed[i]?.label ?? `#${i}`,
      };
  }
  return undefined;
}

type Verdict = Omit<TestResult, 'name'>;

/** Stator against XState, step by step: the first refusal or difference. */
function judgeStator(xstate: XStateRun, stator: StatorRun): Verdict | undefined {
  const eventSteps = xstate.steps.filter((s) => s.label.startsWith('event '));
  for (const [i, x] of xstate.steps.entries()) {
    const s: Observation | undefined = stator.steps[i];
    if (!s) break;
    const index = eventSteps.indexOf(x);
    const accepted = index >= 0 ? xstate.accepted[index] : undefined;
    const lost = s.notes.filter((n) => /dropped|dead-lettered|not a durable instance/.test(n));
    const rejectedAccepted = accepted === true && s.notes.some((n) => n.startsWith('rejected:'));
    const diff =
      difference(x, s) ??
      (rejectedAccepted ? 'Stator rejected an event XState accepted' : undefined) ??
      (lost.length > 0 ? 'Stator lost an effect XState performed' : undefined);
    if (diff !== undefined)
      return { classification: 'diverges', reason: diff, step: x.label, notes: s.notes };
  }
  if (stator.refusal) {
    const { code, message: text, at } = stator.refusal;
    const notes = stator.steps.at(-1)?.notes;
    return {
      classification: 'refused',
      reason: `${code}: ${text}`,
      step: at,
      ...(notes && notes.length > 0 && { notes }),
    };
  }
  if (stator.replay !== undefined)
    return { classification: 'diverges', reason: stator.replay, step: 'replay' };
  return undefined;
}
