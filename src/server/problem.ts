import { isStatorError, StatorError } from '../core/errors.js';
import { PROBLEM_CODES, type ProblemCode } from './http-errors.js';
import { HTTP_STATUS, titleOf } from './status.js';

/** An RFC 9457 problem document, with Stator's stable `code` and the error's details. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: ProblemCode;
  readonly instance: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** `urn:stator:problem:event-not-accepted` for EVENT_NOT_ACCEPTED. */
export const problemType = (code: ProblemCode): string =>
  `urn:stator:problem:${code.toLowerCase().replaceAll('_', '-')}`;

/** The problem document for an error; errors that are not StatorErrors become INTERNAL_ERROR. */
export function toProblem(error: unknown, instance: string): Problem {
  const known = isStatorError(error, PROBLEM_CODES)
    ? error
    : new StatorError<ProblemCode>(
        'INTERNAL_ERROR',
        'The server failed unexpectedly. The error was logged; retry, and report it if it persists.',
      );
  const hasDetails = Object.keys(known.details).length > 0;
  return {
    type: problemType(known.code),
    title: titleOf(known.code),
    status: HTTP_STATUS[known.code],
    detail: known.message,
    code: known.code,
    instance,
    ...(hasDetails && { details: known.details }),
  };
}

/** A `Response` carrying the problem document for `error`. */
export function problemResponse(
  error: unknown,
  instance: string,
  headers: Record<string, string> = {},
): Response {
  const problem = toProblem(error, instance);
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

export { httpError } from './http-errors.js';
