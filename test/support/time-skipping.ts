import { TestWorkflowEnvironment } from '@temporalio/testing';
import { inject } from 'vitest';

/**
 * A time-skipping environment on the Java test server that the global setup started
 * once for the whole run. The SDK's public factories either spawn their own server or
 * turn time skipping off for an existing one, so this calls its general factory.
 */
export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const create = (TestWorkflowEnvironment as unknown as { create(opts: object): Promise<TestWorkflowEnvironment> }).create;
  return create.call(TestWorkflowEnvironment, {
    server: { type: 'existing' },
    address: inject('timeSkippingAddress'),
    namespace: 'default',
    supportsTimeSkipping: true,
  });
}
