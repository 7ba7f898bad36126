export {
  ERROR_CODES,
  type ErrorCode,
  isStatorError,
  SequenceConflictError,
  StatorError,
} from './core/errors.js';
export { eventTime } from './core/event-time.js';
export { formatStateValue } from './core/state-value.js';
export type { Actor, Clock, Effect, InstanceStatus } from './core/types.js';
export { type ActivityInfo, activityInfo } from './runtime/effects/activity-info.js';
export type { ActivityPolicy } from './runtime/effects/context.js';
export type { EffectsOptions } from './runtime/effects/effects-runtime.js';
export type { RetryPolicy } from './runtime/effects/retry-policy.js';
export type {
  EmitHandler,
  SubscribeOptions,
  Subscription,
} from './runtime/effects/subscriptions.js';
export { createEngine } from './runtime/engine.js';
export type * from './runtime/types.js';
export type * from './store/types.js';
