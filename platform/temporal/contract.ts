/**
 * A workflow's contract, shared by the workflow and its callers (the API, the CLI, tests): the
 * name the worker registers it under, the arguments it takes, what it returns, and how its id is
 * made from the business key. Message files (`*.messages.ts`) declare one beside the workflow's
 * update, signal and query definitions; app/workflow-contracts.ts checks at compile time that
 * each contract fits the exported workflow function of that name.
 */
export interface WorkflowContract<N extends string, A extends unknown[], R, K> {
  readonly workflowType: N;
  readonly workflowId: (key: K) => string;
  /** Never set: carries the argument and result types to the gateway. */
  readonly types?: { args: A; result: R };
}

/** `defineWorkflow<[Input], Result>()('name', (key: Key) => id)`: the type parameters first, the name and id inferred. */
export function defineWorkflow<A extends unknown[], R = unknown>() {
  return <N extends string, K>(workflowType: N, workflowId: (key: K) => string): WorkflowContract<N, A, R, K> => ({
    workflowType,
    workflowId,
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any contract, whatever its types
export type AnyWorkflowContract = WorkflowContract<string, any[], any, any>;
