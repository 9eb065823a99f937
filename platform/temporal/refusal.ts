import { ActivityFailure, ApplicationFailure } from '@temporalio/common';

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

/** The failure type of an activity whose input the database refuses for good (A6). */
export const INPUT_REFUSED = 'input_refused';

/**
 * PostgreSQL refuses the input itself, so no retry can succeed: SQLSTATE class 22 (data exception:
 * U+0000 in text, a lone surrogate in jsonb, a value out of range) or 23 (integrity constraint
 * violation), except 23505, a unique race that a retry finds settled.
 */
const refusesInput = (err: unknown): boolean => {
  const { code, severity } = (err ?? {}) as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^2[23]/.test(code) && code !== '23505' && typeof severity === 'string';
};

/**
 * For activities: runs a step and turns a database refusal of its input into a non-retryable
 * failure of type INPUT_REFUSED, so a workflow is told at once instead of retrying for ever.
 */
export async function refusingBadInput<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (!refusesInput(err)) throw err;
    const message = String((err as Error).message).replace(/[\0\p{Cs}]/gu, '\uFFFD');
    throw ApplicationFailure.create({ type: INPUT_REFUSED, message, nonRetryable: true });
  }
}

/**
 * For workflows: the failure of an activity whose input was refused (refusingBadInput), if `err`
 * is one. An activity's failure arrives wrapped in an ActivityFailure, a local activity's as it is.
 */
export function inputRefusal(err: unknown): ApplicationFailure | undefined {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return failure instanceof ApplicationFailure && failure.type === INPUT_REFUSED ? failure : undefined;
}
