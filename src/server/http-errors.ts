import { ERROR_CODES, type ErrorCode, StatorError } from '../core/errors.js';

/** Codes of requests refused at the HTTP edge, before they reach the engine. */
export const HTTP_ERROR_CODES = [
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'REQUEST_TIMEOUT',
] as const;

export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

/** Every code a problem document may carry: the engine's and the edge's. */
export type ProblemCode = ErrorCode | HttpErrorCode;
export const PROBLEM_CODES: readonly ProblemCode[] = [...ERROR_CODES, ...HTTP_ERROR_CODES];

/** An error raised at the HTTP edge. */
export const httpError = (
  code: ProblemCode,
  message: string,
  details: Record<string, unknown> = {},
): StatorError<ProblemCode> => new StatorError<ProblemCode>(code, message, details);
