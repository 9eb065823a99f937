import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { patched } from '@temporalio/workflow';
import { activityProxies } from './proxies';

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

/**
 * For the worker's composition: every activity of `activities` runs under refusingBadInput, so
 * no workflow retries for ever a step whose input the database refuses.
 */
export function refusingBadInputEverywhere<A extends Record<string, unknown>>(activities: A): A {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      typeof fn === 'function'
        ? (...args: unknown[]) => refusingBadInput(() => (fn as (...a: unknown[]) => Promise<unknown>)(...args))
        : fn,
    ]),
  ) as A;
}

/** The one activity the alert needs (identity's staff activities provide it). */
interface AlertActivities {
  emailStaff(input: { key: string; role: 'admin'; template: string; data: Record<string, unknown> }): Promise<number>;
}

/** Guards the handling below: workflows that ran before it keep their histories (docs/decisions.md). */
export const INPUT_REFUSED_ALERT_PATCH = 'input-refused-alert';

/**
 * For workflows: runs a workflow's main flow; when one of its steps fails on its input
 * (refusingBadInput), the failure is made visible (`visible`: the state query, a status row),
 * admins are alerted by e-mail, and the workflow fails with a non-retryable error instead of
 * retrying for ever. Updates' own steps answer their caller and are not handled here.
 */
export async function failingVisiblyOnBadInput<T>(
  what: { workflow: string; id: string },
  main: () => Promise<T>,
  visible: (message: string) => void | Promise<void> = () => {},
): Promise<T> {
  try {
    return await main();
  } catch (err) {
    const refused = inputRefusal(err);
    if (!refused || !patched(INPUT_REFUSED_ALERT_PATCH)) throw err;
    await visible(refused.message);
    await activityProxies<AlertActivities>().acts.emailStaff({
      key: `${what.id}:input-refused`,
      role: 'admin',
      template: 'workflow-input-refused',
      data: { ...what, error: refused.message },
    });
    throw ApplicationFailure.create({
      type: INPUT_REFUSED,
      message: `${what.workflow} ${what.id} failed on its input: ${refused.message}`,
      nonRetryable: true,
    });
  }
}
