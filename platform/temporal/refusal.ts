import { ApplicationFailure } from '@temporalio/workflow';

/**
 * How a workflow refuses an update (in its validator or handler): the API turns this
 * into `{ error: { code, message, details } }` with the given HTTP status
 * (see api/temporal.ts). Non-retryable: a refusal is an answer, not a fault.
 */
export function refusal(
  status: 400 | 403 | 404 | 409 | 422,
  code: string,
  message: string,
  details?: unknown,
): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, details: [status, details ?? null], nonRetryable: true });
}
