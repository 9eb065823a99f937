import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createCaseService } from '../cases/cases.service';
import { createBlocking } from '../identity/blocking';
import { createDirectory } from '../identity/directory.service';
import { createPersonalData } from '../identity/personal-data.service';
import { welcomeUserWorkflow } from '../identity/welcome-user.messages';
import { createFrameworkAgreements } from '../orders/framework-agreements';
import { createOrderService } from '../orders/orders.service';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import { localDeliveryStore } from '../platform/file-store';
import { workflowGateway } from '../platform/temporal/gateway';
import { createSettlementService } from '../settlement/settlement.service';

/** Every context's use cases over one database, one Temporal client and one file store: what the API, the pages, the CLI, tests and benchmarks share. */
export function createServices(deps: { db: Db; temporal: Client; config: Config }) {
  const { db, config } = deps;
  const workflows = workflowGateway(deps.temporal, config.TEMPORAL_TASK_QUEUE);
  const store = localDeliveryStore(path.join(config.DATA_DIR, 'deliveries'));
  const directory = createDirectory({
    db,
    welcome: async (u) => {
      await workflows.start(welcomeUserWorkflow, u.id, {
        userId: u.id,
        accountId: u.accountId,
        email: u.email,
        name: u.name,
        language: u.language,
        signInUrl: config.publicUrl,
      });
    },
  });
  const orders = createOrderService({ db, workflows, config });
  const frameworkAgreements = createFrameworkAgreements({ db });
  const cases = createCaseService({ db, workflows, config, store });
  const settlements = createSettlementService({ workflows });
  const personalData = createPersonalData({
    db,
    subscriptionsInForce: orders.subscriptionsInForce,
    openBusiness: [orders.openBusiness, cases.openBusiness],
    corrected: [orders.customerCorrected, cases.questionerCorrected],
  });
  const blocking = createBlocking({ db });
  return { workflows, store, directory, blocking, orders, frameworkAgreements, cases, settlements, personalData };
}

export type Services = ReturnType<typeof createServices>;
