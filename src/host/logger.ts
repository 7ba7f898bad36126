import { pino } from 'pino';

/** The logging the server does (pino's interface; any compatible logger fits). */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** A pino logger writing JSON lines to stdout at `level` (default `STATOR_LOG_LEVEL` or `info`). */
export function createLogger(level = process.env.STATOR_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'stator' } });
}

/** Drops everything: for tests and embedding. */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
};
