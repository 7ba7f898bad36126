/** `stator/server`: the HTTP API, its authentication and authorization, and the machine module loader. */
export { type AppOptions, createApp } from './server/app.js';
export {
  type ApiKeyLookup,
  hashSecret,
  type IssuedApiKey,
  issueApiKey,
} from './server/auth/api-keys.js';
export type { AuthOptions } from './server/auth/authenticate.js';
export type { JwtOptions } from './server/auth/jwt.js';
export { DEFAULT_DB, type OpenedDb, storeFromUrl } from './server/db-url.js';
export { eventTypes, mermaidGraph } from './server/graph.js';
export { createLogger, type Logger, silentLogger } from './server/logger.js';
export { defineModule, type LoadedModule, loadModule, normalizeModule } from './server/module.js';
export { openApiDocument } from './server/openapi.js';
export { authorizer, readDecision } from './server/policies.js';
export { type Problem, toProblem } from './server/problem.js';
export {
  createServer,
  isLoopback,
  type RunningServer,
  type ServerOptions,
} from './server/serve.js';
export { HTTP_STATUS } from './server/status.js';
export type * from './server/types.js';
