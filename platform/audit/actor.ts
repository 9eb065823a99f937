import type { Request } from 'express';
import type { Principal } from '../http/principal';

/** Who did it and in which request, for the audit log (app/api.ts makes every request id, a string). */
export function auditActor(principal: Principal, req: Request) {
  return {
    actorType: principal.kind,
    actorId: principal.id,
    requestId: req.id as string,
    clientRequestId: clientRequestId(req) ?? null,
  };
}

/** The X-Request-Id a client sent, bounded: for logs and the audit log beside the server's own id. */
export const clientRequestId = (req: Pick<Request, 'headers'>) => {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && sent ? sent.slice(0, 100) : undefined;
};
