import { defineUpdate } from '@temporalio/workflow';
import type { Contact } from '../domain/vocabulary';
import { defineWorkflow } from '../platform/temporal/contract';

export interface ComplaintInput {
  complaintId: string;
  lk: string;
  accountId: string;
  text: string;
  questioner: Contact;
}

export const respondToComplaintUpdate = defineUpdate<
  { complaintId: string; response: string },
  [{ response: string; by: string }]
>('respond');

/** L7: one workflow per complaint. */
export const complaintWorkflow = defineWorkflow<[ComplaintInput], void>()(
  'caseComplaint',
  (complaintId: string) => `complaint-${complaintId}`,
);
