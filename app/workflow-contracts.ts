import { locateCaseWorkflow } from '../cases/case.messages';
import { complaintWorkflow } from '../cases/complaint.messages';
import { handlerDigestWorkflow } from '../cases/digest.messages';
import { accountMailWorkflow } from '../identity/account-mail.messages';
import { purgeExpiredWorkflow } from '../identity/purge.messages';
import { invoiceMailWorkflow } from '../invoicing/invoice-mail.messages';
import { welcomeUserWorkflow } from '../identity/welcome-user.messages';
import { geodataOrderWorkflow } from '../orders/order.messages';
import { subscriptionWorkflow } from '../orders/subscription.messages';
import { deliveryRetentionWorkflow } from '../orders/retention.messages';
import type { WorkflowContract } from '../platform/temporal/contract';
import { settlementWorkflow, yearlySettlementWorkflow } from '../settlement/settlement.messages';
import type * as Workflows from './workflows';

type Registered = typeof Workflows;

/**
 * Every workflow's contract, keyed by the name the worker registers it under. `satisfies` makes
 * the compiler check each contract against the exported workflow of that name: same name, same
 * arguments, same result. A misspelt name or a changed input does not compile.
 */
export const WORKFLOW_CONTRACTS = {
  locateCase: locateCaseWorkflow,
  caseComplaint: complaintWorkflow,
  geodataOrder: geodataOrderWorkflow,
  subscription: subscriptionWorkflow,
  settlement: settlementWorkflow,
  yearlySettlement: yearlySettlementWorkflow,
  welcomeUser: welcomeUserWorkflow,
  accountMail: accountMailWorkflow,
  deliveryRetention: deliveryRetentionWorkflow,
  purgeExpired: purgeExpiredWorkflow,
  handlerDigest: handlerDigestWorkflow,
  invoiceMail: invoiceMailWorkflow,
} satisfies {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the business key's type is the contract's own
  [N in keyof Registered]: WorkflowContract<N, Parameters<Registered[N]>, Awaited<ReturnType<Registered[N]>>, any>;
};
