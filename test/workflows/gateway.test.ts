import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApiError } from '../../platform/http/errors';
import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { toApiError, workflowGateway } from '../../platform/temporal/gateway';
import { INPUT_REFUSED } from '../../platform/temporal/refusal';
import { approveOrderUpdate, orderStateQuery } from '../../orders/order.messages';
import { welcomeUserWorkflow } from '../../identity/welcome-user.messages';
import { startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
beforeAll(async () => {
  office = await startBackOffice({ SMTP_URL: '' });
});
afterAll(() => office.drop());

it('a workflow id is a business key: a second start is refused with 409, not doubled', async () => {
  const gateway = workflowGateway(office.temporal, office.config.TEMPORAL_TASK_QUEUE);
  const userId = '00000000-0000-0000-0000-0000000000aa';
  const id = welcomeUserWorkflow.workflowId(userId);
  const input = {
    userId: 'x',
    accountId: null,
    email: 'dup@test.se',
    name: 'Dup',
    language: 'en' as const,
    signInUrl: 'http://x',
  };
  expect(await gateway.start(welcomeUserWorkflow, userId, input)).toBe(id);
  await office.temporal.workflow.getHandle(id).result();
  const second = await gateway.start(welcomeUserWorkflow, userId, input).catch((e: unknown) => e);
  expect(second).toBeInstanceOf(ApiError);
  expect(second).toMatchObject({ status: 409, code: 'already_exists' });
  expect(await office.db('outbox').where({ to_address: 'dup@test.se' })).toHaveLength(1);
});

it('an update or query on an unknown workflow answers 404', async () => {
  const gateway = workflowGateway(office.temporal, office.config.TEMPORAL_TASK_QUEUE);
  await expect(gateway.update('no-such-workflow', approveOrderUpdate, { by: 'h' })).rejects.toMatchObject({
    status: 404,
    code: 'not_found',
  });
  await expect(gateway.query('no-such-workflow', orderStateQuery)).rejects.toMatchObject({
    status: 404,
    code: 'not_found',
  });
});

it('an update whose step the database refused (A6) answers 422 input_refused, not 500', () => {
  const refused = ApplicationFailure.create({
    type: INPUT_REFUSED,
    message: 'invalid byte sequence',
    nonRetryable: true,
  });
  const step = new ActivityFailure(
    'activity failed',
    'recordCaseAnswer',
    '1',
    RetryState.NON_RETRYABLE_FAILURE,
    'w',
    refused,
  );
  const mapped = toApiError(new WorkflowUpdateFailedError('update failed', step), 'case-LK-1');
  expect(mapped).toBeInstanceOf(ApiError);
  expect(mapped).toMatchObject({ status: 422, code: INPUT_REFUSED });
  // Any other failed step stays what it is: a fault of ours, answered 500.
  const other = new ActivityFailure(
    'activity failed',
    'x',
    '1',
    RetryState.MAXIMUM_ATTEMPTS_REACHED,
    'w',
    new Error('down'),
  );
  const fault = new WorkflowUpdateFailedError('update failed', other);
  expect(toApiError(fault, 'case-LK-1')).toBe(fault);
});
