import type { Request } from 'express';
import type { Principal } from '../http/principal';

/** Who did it and in which request, for the audit log (app/api.ts makes every request id a string). */
export function auditActor(principal: Principal, req: Request) {
  return { actorType: principal.kind, actorId: principal.id, requestId: req.id as string };
}
