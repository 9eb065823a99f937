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

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof ApiError) {
    res.status(err.status).json(errorBody(err));
    return;
  }
  // Body parser failures (malformed JSON, too large) are the client's fault.
  const status = (err as { status?: number }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json(errorBody(new ApiError(status, 'bad_request', (err as Error).message)));
    return;
  }
  req.log.error({ err }, 'unhandled error');
  res
    .status(500)
    .json(
      errorBody(
        new ApiError(
          500,
          'internal_error',
          'Something went wrong on our side; the request id is in the X-Request-Id header',
        ),
      ),
    );
};
