export {
  ERROR_CODES,
  type ErrorCode,
  isStatorError,
  SequenceConflictError,
  StatorError,
} from './core/errors.js';
export { eventTime } from './core/event-time.js';
export { RetryableError, TerminalError } from './core/retry-errors.js';
export { formatStateValue } from './core/state-value.js';
export type { Actor, Clock, Effect, InstanceStatus } from './core/types.js';
export { type ActivityInfo, activityInfo } from './runtime/effects/activity-info.js';
export type {
  ActivityPolicy,
  EffectsOptions,
  EmitHandler,
  RetryPolicy,
  SubscribeOptions,
  Subscription,
} from './runtime/effects/types.js';
export { createEngine } from './runtime/engine.js';
export type { InspectionEvent, InspectionListener, InspectionType } from './runtime/inspection.js';
export type * from './runtime/types.js';
export type * from './store/types.js';
