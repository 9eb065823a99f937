import type { Client } from '@temporalio/client';
import { workflowGateway } from '../platform/temporal/gateway';
import type { Db } from '../platform/db';
import { workflowIds } from '../platform/temporal/ids';
import type { WelcomeUserInput } from '../identity/welcome-user.workflow';
import type { Config } from '../platform/config';
import { createDirectory } from '../identity/directory.service';

/** What the API, the CLI and the demo seed share: the workflow gateway and the directory. */
export function createServices(deps: { db: Db; temporal: Client; config: Config }) {
  const workflows = workflowGateway(deps.temporal, deps.config.TEMPORAL_TASK_QUEUE);
  const directory = createDirectory({
    db: deps.db,
    welcome: (u) =>
      workflows.start<[WelcomeUserInput]>('welcomeUser', workflowIds.welcomeUser(u.id), [
        { userId: u.id, accountId: u.accountId, email: u.email, name: u.name, language: u.language, signInUrl: deps.config.publicUrl },
      ]),
  });
  return { workflows, directory };
}
