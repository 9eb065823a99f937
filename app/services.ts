import path from 'node:path';
import type { Client } from '@temporalio/client';
import { createCaseService } from '../cases/cases.service';
import { createNetworkOwners } from '../cases/network-owners.service';
import { createAccountUsers } from '../identity/account-users.service';
import { createBlocking } from '../identity/blocking';
import { createDirectory } from '../identity/directory.service';
import { createLinks } from '../identity/links';
import { createSignUp } from '../identity/sign-up.service';
import { createTermsPublishing } from '../identity/terms-publishing.service';
import { createPasswords } from '../identity/passwords.service';
import { createTwoFactor } from '../identity/two-factor';
import { createPersonalData } from '../identity/personal-data.service';
import { welcomeUserWorkflow } from '../identity/welcome-user.messages';
import { createFrameworkAgreements } from '../orders/framework-agreements';
import { createOrderService } from '../orders/orders.service';
import { createPriceList } from '../orders/price-list.service';
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
  const links = createLinks({ db, workflows, publicUrl: config.publicUrl });
  const accountUsers = createAccountUsers({ db, links, linkTtlHours: config.ACCOUNT_LINK_TTL_HOURS });
  const signUp = createSignUp({ db, links, linkTtlHours: config.ACCOUNT_LINK_TTL_HOURS });
  const passwords = createPasswords({ db, links, resetTtlSeconds: config.PASSWORD_RESET_TTL_SECONDS });
  const twoFactor = createTwoFactor(db);
  const termsPublishing = createTermsPublishing({ db });
  const orders = createOrderService({ db, workflows, config });
  const frameworkAgreements = createFrameworkAgreements({ db });
  const priceList = createPriceList({ db });
  const cases = createCaseService({ db, workflows, config, store });
  const networkOwners = createNetworkOwners({ db });
  const settlements = createSettlementService({ workflows });
  const personalData = createPersonalData({
    db,
    subscriptionsInForce: orders.subscriptionsInForce,
    openBusiness: [orders.openBusiness, cases.openBusiness],
    corrected: [orders.customerCorrected, cases.questionerCorrected],
  });
  const blocking = createBlocking({ db });
  return {
    workflows,
    store,
    directory,
    links,
    accountUsers,
    blocking,
    signUp,
    termsPublishing,
    passwords,
    twoFactor,
    orders,
    frameworkAgreements,
    priceList,
    cases,
    networkOwners,
    settlements,
    personalData,
  };
}

export type Services = ReturnType<typeof createServices>;
