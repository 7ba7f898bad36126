/**
 * What a step did, reduced to what must match for two versions to behave the
 * same: the state value, status and context after it, and its effects (timers
 * set and cancelled, outbox effects, emits). Shadow runs compare these.
 */
import type { AnyMachineSnapshot } from 'xstate';
import { formatStateValue } from '../../core/state-value.js';
import type { Effect } from '../../core/types.js';
import { canonicalJson } from '../fingerprint.js';
import type { StepSignature } from './types.js';

export function signatureOf(
  snapshot: AnyMachineSnapshot,
  effects: readonly Effect[],
): StepSignature {
  return {
    state: formatStateValue(snapshot.value),
    status: snapshot.status,
    context: canonicalJson(snapshot.context) ?? 'undefined',
    effects: effects.map(effectKey).join(' '),
  };
}

/** Which part of two signatures differs first, described; undefined when they match. */
export function difference(expected: StepSignature, actual: StepSignature): string | undefined {
  if (expected.state !== actual.state) return `state ${expected.state} ≠ ${actual.state}`;
  if (expected.status !== actual.status) return `status ${expected.status} ≠ ${actual.status}`;
  if (expected.context !== actual.context) return 'the context differs';
  if (expected.effects !== actual.effects) {
    return `effects [${expected.effects}] ≠ [${actual.effects}]`;
  }
  return undefined;
}

function effectKey(effect: Effect): string {
  switch (effect.kind) {
    case 'timer.set':
      return `timer.set:${effect.timerId}+${effect.delay}`;
    case 'timer.cancel':
      return `timer.cancel:${effect.timerId}`;
    case 'activity.start':
    case 'activity.stop':
      return `${effect.kind}:${effect.activityId}`;
    case 'action':
      return `action:${effect.type}`;
    case 'emit':
      return `emit:${effect.event.type}`;
    case 'send':
      return `send:${effect.target}:${effect.event.type}`;
  }
}
