// Every workflow the worker registers. This file is the workflow bundle's entry:
// only deterministic code, no Node built-ins (test/workflows/bundle.test.ts proves it).
export { locateCase } from '../cases/case.workflow';
export { caseComplaint } from '../cases/complaint.workflow';
export { handlerDigest } from '../cases/digest.workflow';
export { geodataOrder } from '../orders/order.workflow';
export { settlement, yearlySettlement } from '../settlement/settlement.workflow';
export { subscription } from '../orders/subscription.workflow';
export { deliveryRetention } from '../orders/retention.workflow';
export { welcomeUser } from '../identity/welcome-user.workflow';
export { accountMail } from '../identity/account-mail.workflow';
export { purgeExpired } from '../identity/purge.workflow';
export { invoiceMail } from '../invoicing/invoice-mail.workflow';
