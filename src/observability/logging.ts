/**
 * One structured log line per decided event: what answers "what happened to
 * #1234" — instance, machine, state from and to, event, actor, time spent in
 * the previous state, trace id, outcome. Fed by inspection events only.
 */
import { StatorError } from '../core/errors.js';
import type { InspectionEvent, InspectionType } from '../runtime/inspection.js';
import { stateKey } from '../store/state-key.js';
import type { AuditRow } from '../store/types.js';
import { traceIdOf } from './traceparent.js';

/** The slice of a pino logger the transition log writes to. */
export interface TransitionLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export type TransitionLogLevel = 'debug' | 'info';

export interface TransitionLogOptions {
  readonly logger: TransitionLogger;
  /** The level of applied transitions. Default `info`. Rejected and discarded events are `warn`. */
  readonly level?: TransitionLogLevel;
  /**
   * The share of applied transitions logged, 0 to 1 (default 1): sampled per
   * instance (a stable hash of machine and id), so a sampled instance's whole
   * story is in the log. Rejections are always logged.
   */
  readonly sample?: number;
}

export const LOG_EVENTS: readonly InspectionType[] = [
  'transition.committed',
  'transition.rejected',
  'transition.discarded',
];

/** The observer writing the lines; subscribe it to `LOG_EVENTS`. */
export function transitionLog(options: TransitionLogOptions): (event: InspectionEvent) => void {
  const { logger } = options;
  const level = options.level ?? 'info';
  const sample = options.sample ?? 1;
  if (!(sample >= 0 && sample <= 1)) {
    throw new StatorError(
      'CONFIG_INVALID',
      `The transition log sample is the share of instances logged, from 0 to 1; got ${sample}.`,
    );
  }
  const sampled = (machine: string, id: string) =>
    sample >= 1 || (sample > 0 && unitHash(machine, id) < sample);
  return (event) => {
    if (event.type === 'transition.committed') {
      const { instance, event: ev, audit } = event.write;
      if (!sampled(instance.machine, instance.id)) return;
      const previous = event.previous;
      logger[level](
        {
          machine: instance.machine,
          id: instance.id,
          seq: ev.seq,
          event: ev.type,
          from: previous ? stateKey(previous.value) : null,
          to: stateKey(instance.value),
          status: instance.status,
          actor: ev.actor?.id ?? null,
          timeInStateMs: previous ? Math.max(0, ev.recordedAt - previous.stateEnteredAt) : null,
          traceId: audit.traceId ?? traceIdOf(ev.traceContext?.traceparent) ?? null,
          outcome: 'applied',
        },
        'transition',
      );
      return;
    }
    if (event.type === 'transition.rejected' || event.type === 'transition.discarded') {
      logger.warn(rejectedLine(event.audit), 'transition');
    }
  };
}

function rejectedLine(audit: AuditRow): object {
  return {
    machine: audit.machine,
    id: audit.id,
    event: audit.eventType,
    from: audit.from === null ? null : stateKey(audit.from),
    to: null,
    actor: audit.actor?.id ?? null,
    traceId: audit.traceId,
    outcome: audit.outcome,
    reason: audit.reason,
  };
}

/** A stable number in [0, 1) for an instance (FNV-1a). */
function unitHash(machine: string, id: string): number {
  let h = 0x811c9dc5;
  const s = `${machine}\u0000${id}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 2 ** 32;
}
