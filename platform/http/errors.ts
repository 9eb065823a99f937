import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';

/** Every error the API answers has this shape: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} was not found`);
export const conflict = (code: string, message: string, details?: unknown) => new ApiError(409, code, message, details);

/** Field-level messages from a schema failure, with the path into the request. */
export function validationError(where: 'body' | 'query' | 'params', error: z.ZodError): ApiError {
  const details = error.issues.map((i) => ({ field: [where, ...i.path.map(String)].join('.'), message: i.message }));
  const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
  return new ApiError(400, 'validation_failed', `The request is not valid: ${summary}`, details);
}

export const errorBody = (e: ApiError) => ({ error: { code: e.code, message: e.message, details: e.details ?? null } });

/** Body-parser failures (by their `type`) with a code of their own; any other is `bad_request` with its status. */
const BODY_FAILURES: Record<string, [number, string]> = {
  'entity.too.large': [413, 'body_too_large'],
  'parameters.too.many': [413, 'body_too_large'],
};

/** PostgreSQL's unique_violation: two requests raced for one key (the check before the insert cannot see the other). */
const UNIQUE_VIOLATION = '23505';

/**
 * The client's part of an error, as the API answers it: an ApiError as it is; a body that could
 * not be read (too large, malformed JSON, …) as its 4xx; a unique-key race lost to a concurrent
 * request as 409 `already_exists`. Undefined for anything else (a fault on our side).
 */
export function clientError(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  const e = err as { status?: unknown; type?: unknown; code?: unknown; severity?: unknown; message?: unknown };
  if (e?.code === UNIQUE_VIOLATION && typeof e.severity === 'string')
    return new ApiError(409, 'already_exists', 'This already exists: another request created it at the same time');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    const [status, code] = (typeof e.type === 'string' && BODY_FAILURES[e.type]) || [e.status, 'bad_request'];
    return new ApiError(status, code, String(e.message));
  }
  return undefined;
}

const internalError = () =>
  new ApiError(500, 'internal_error', 'Something went wrong on our side; the request id is in the X-Request-Id header');

/** Any error as the API answers it: the client's part (clientError), else a 500 that tells nothing of the cause. */
export const apiErrorOf = (err: unknown): ApiError => clientError(err) ?? internalError();

/** The one error handler: `{ error: { code, message, details } }`; only our own faults are logged as errors. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const error = apiErrorOf(err);
  if (error.status >= 500) req.log.error({ err }, 'unhandled error');
  res.status(error.status).json(errorBody(error));
};
