import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  type QueryDefinition,
  type SignalDefinition,
  type UpdateDefinition,
} from '@temporalio/common';
import { ApiError } from '../http/errors';
import type { WorkflowContract } from './contract';
import { INPUT_REFUSED } from './refusal';

/**
 * The API's way into Temporal: workflow ids are business keys, and Temporal's own errors
 * come back as the API's error shape. A workflow refuses an update by throwing an
 * ApplicationFailure whose `type` is the API error code and whose first detail is the
 * HTTP status (platform/temporal/refusal.ts builds it). Workflows are called only through their contracts
 * and message definitions (`*.messages.ts`), never by name.
 */
export function workflowGateway(client: Client, taskQueue: string) {
  const isClosed = async (workflowId: string) => {
    try {
      return (await client.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING';
    } catch {
      return false;
    }
  };

  return {
    /** Whether the workflow exists and still runs (L8 waits for a person's open business). */
    async isRunning(workflowId: string): Promise<boolean> {
      try {
        return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },
    /** Starts the contract's workflow under the id its business key gives; answers that id. */
    async start<A extends unknown[], K>(
      workflow: WorkflowContract<string, A, unknown, K>,
      key: K,
      ...args: A
    ): Promise<string> {
      const workflowId = workflow.workflowId(key);
      try {
        // Rejected also after the first run has closed: a business object is started once.
        await client.workflow.start(workflow.workflowType, {
          workflowId,
          taskQueue,
          args,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
        return workflowId;
      } catch (err) {
        throw toApiError(err, workflowId);
      }
    },
    async update<R, A extends [unknown, ...unknown[]]>(
      workflowId: string,
      update: UpdateDefinition<R, A>,
      ...args: A
    ): Promise<R> {
      try {
        return await client.workflow.getHandle(workflowId).executeUpdate(update, { args });
      } catch (err) {
        // An update to a workflow that has run to its end is refused as a conflict, not "not found".
        if (err instanceof WorkflowNotFoundError && (await isClosed(workflowId))) {
          throw new ApiError(409, 'closed', `${workflowId} is closed and takes no more changes`);
        }
        throw toApiError(err, workflowId);
      }
    },
    /** Signals a running workflow; answers false when it has closed (nothing left to tell). */
    async signal<A extends unknown[]>(workflowId: string, signal: SignalDefinition<A>, ...args: A): Promise<boolean> {
      try {
        await client.workflow.getHandle(workflowId).signal(signal, ...args);
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },
    async query<R>(workflowId: string, query: QueryDefinition<R, []>): Promise<R> {
      try {
        return await client.workflow.getHandle(workflowId).query(query);
      } catch (err) {
        throw toApiError(err, workflowId);
      }
    },
  };
}

export type WorkflowGateway = ReturnType<typeof workflowGateway>;

export function toApiError(err: unknown, workflowId: string): unknown {
  if (err instanceof WorkflowExecutionAlreadyStartedError) {
    return new ApiError(409, 'already_exists', `${workflowId} already exists`);
  }
  if (err instanceof WorkflowNotFoundError) {
    return new ApiError(404, 'not_found', `${workflowId} was not found`);
  }
  // A step of the update whose input the database refused (A6): the caller's input, not a fault of ours.
  const step =
    err instanceof WorkflowUpdateFailedError && err.cause instanceof ActivityFailure ? err.cause.cause : null;
  if (step instanceof ApplicationFailure && step.type === INPUT_REFUSED) {
    return new ApiError(422, INPUT_REFUSED, `The input was refused: ${step.message}`);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const failure = err.cause;
    const [status, details] = failure.details ?? [];
    return new ApiError(typeof status === 'number' ? status : 409, failure.type ?? 'refused', failure.message, details);
  }
  return err;
}
