/** `stator/server`: the HTTP API, its authentication and authorization, and the machine module loader. */

export { eventTypes, mermaidGraph } from './analysis/mermaid.js';
export { DEFAULT_DB, type OpenedDb, storeFromUrl } from './host/db-url.js';
export { createLogger, type Logger, silentLogger } from './host/logger.js';
export { defineModule, type LoadedModule, loadModule, normalizeModule } from './host/module.js';
export { type AppOptions, createApp } from './server/app.js';
export {
  type ApiKeyLookup,
  hashSecret,
  type IssuedApiKey,
  issueApiKey,
} from './server/auth/api-keys.js';
export type { AuthOptions } from './server/auth/authenticate.js';
export type { JwtOptions } from './server/auth/jwt.js';
export {
  HTTP_ERROR_CODES,
  type HttpErrorCode,
  httpError,
  PROBLEM_CODES,
  type ProblemCode,
} from './server/http-errors.js';
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
