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
export { createEngine } from './runtime/engine.js';
export type * from './runtime/types.js';
export type * from './store/types.js';
