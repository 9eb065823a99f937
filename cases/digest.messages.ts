import { defineWorkflow } from '../platform/temporal/contract';

export interface HandlerDigestResult {
  /** The Stockholm date the digest is of. */
  day: string;
  /** Handlers e-mailed (a handler with nothing due or overdue gets no e-mail). */
  handlers: number;
  dueToday: number;
  overdue: number;
}

/** The Schedule that e-mails each handler the day's deadlines and overdue cases every working morning. */
export const HANDLER_DIGEST_SCHEDULE_ID = 'handler-digest-daily';

/** Issue 18: the daily digest to handlers; started by the Schedule HANDLER_DIGEST_SCHEDULE_ID. */
export const handlerDigestWorkflow = defineWorkflow<[], HandlerDigestResult>()(
  'handlerDigest',
  (scheduledRun: string) => scheduledRun,
);
