export { parseDuration } from './runtime/duration.js';
export { SimulatedClock } from './testing/simulated-clock.js';
export {
  type ActivityCall,
  type ActivityFake,
  createTestEngine,
  type TestEngine,
  type TestEngineOptions,
} from './testing/test-engine.js';
