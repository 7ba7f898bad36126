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
export {
  createEngine,
  type ObservabilityOptions,
  type ObservedEngine,
} from './observability/engine.js';
export type { MetricsOptions } from './observability/metrics.js';
export { type AttachedMetrics, attachMetrics } from './observability/observe-metrics.js';
export { type ActivityInfo, activityInfo } from './runtime/effects/activity-info.js';
export type {
  ActivityPolicy,
  EffectsOptions,
  EmitHandler,
  RetryPolicy,
  SubscribeOptions,
  Subscription,
} from './runtime/effects/types.js';
export type {
  InspectionEvent,
  InspectionListener,
  InspectionObserver,
  InspectionType,
} from './runtime/inspection.js';
export type * from './runtime/types.js';
export type * from './store/types.js';
