/** Workflow ids are business keys: starting the same business object twice is refused, not doubled. */
export const workflowIds = {
  welcomeUser: (userId: string) => `welcome-user-${userId}`,
  /** A locate or planning case runs under its LK number. */
  locateCase: (lk: string) => lk,
  /** L7: a complaint on a case. */
  caseComplaint: (complaintId: string) => `complaint-${complaintId}`,
  geodataOrder: (orderId: string) => `order-${orderId}`,
  /** G8: a subscription order's terms, invoices and deliveries once approved. */
  subscription: (orderId: string) => `subscription-${orderId}`,
  settlement: (year: number) => `settlement-${year}`,
  /** The Schedule that starts each January's settlement of the previous year. */
  yearlySettlementSchedule: 'settlement-yearly',
};
