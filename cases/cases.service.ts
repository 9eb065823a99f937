import crypto from 'node:crypto';
import { z } from 'zod';
import { orderTime as orderTimeOf, stockholmDate, type IsoDate } from '../domain/calendar';
import { isAdult } from '../domain/customer';
import type { CustomerKind } from '../domain/money';
import { validateArea } from '../domain/geometry';
import { getAccount } from '../identity/accounts.store';
import { assertMayDoBusiness, assertVisible } from '../identity/auth';
import { placedBy } from '../identity/account-users.service';
import { acceptFor, presentAcceptance, termsToAccept } from '../identity/terms';
import type { Principal } from '../platform/http/principal';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import type { DeliveryStore } from '../platform/file-store';
import { ApiError } from '../platform/http/errors';
import { isoDate } from '../platform/http/schemas';
import type { WorkflowGateway } from '../platform/temporal/gateway';
import {
  answerUpdate,
  cancelLocateUpdate,
  deliverCaseUpdate,
  locateCaseWorkflow,
  locateDoneUpdate,
  moveLocateUpdate,
  orderMapOnlyLocateUpdate,
  orderPlanningAddOnsUpdate,
  remarkLocateUpdate,
  questionerCorrectedSignal,
  splitUpdate,
  withdrawUpdate,
  type SplitPart,
} from './case.messages';
import type { Contact } from '../domain/vocabulary';
import {
  CASE_FEE_CODES,
  CASE_KINDS,
  cancellationFees,
  earliestNormalLocateDate,
  emergencyDueAt,
  emergencyFees,
  expressWindow,
  feeLine,
  feeQuote,
  handlingDeadlineDate,
  moveFees,
  planningDueDate,
  scheduleLocate,
  scheduleMove,
  type Answer,
  type CaseFees,
  type CaseFile,
  type FeeLine,
  type RemarkReason,
  type VectorFormat,
} from './cases.rules';
import {
  addCasePriceVersion,
  caseFeesOn,
  caseFileKey,
  casesOfAccount,
  complaintsOfAccount,
  fileComplaint,
  getCase,
  getComplaint,
  complaintFileKey,
  registerCase,
} from './cases.store';
import { matchOwners } from './network-owners.service';
import type { OwnerMatch } from './network-owners.store';
import { complaintWorkflow, respondToComplaintUpdate } from './complaint.messages';

/** What a questioner registers (L1, L2). */
export const newCase = z
  .object({
    kind: z.enum(CASE_KINDS),
    workArea: z.unknown(),
    digStart: isoDate,
    desiredLocateDate: isoDate.optional(),
    express: z.boolean().default(false),
    /** Issue 18: an emergency locate (damage or urgent repair): due within hours, for its own fee. */
    emergency: z.boolean().optional(),
    // L1: completing the order is accepting the terms of purchase; that concludes the agreement.
    acceptTerms: z.boolean(),
    /** L1, A2: the terms version accepted; it must be the one in force. */
    termsVersion: z.string().min(1).max(40).optional(),
  })
  .refine((c) => c.kind !== 'locate' || c.emergency || c.desiredLocateDate, {
    message: 'a locate case needs a desired locate date',
    path: ['desiredLocateDate'],
  });
export type NewCase = z.infer<typeof newCase>;

/** What a case's registration (and its quote) answers about dates, owners and fees (L3, L4, L10, L12). */
function presentPrepared(
  body: NewCase,
  customer: CustomerKind,
  c: {
    orderTime: IsoDate;
    deadline: IsoDate;
    dueAt: Date | null;
    owners: { id: string; name: string; mode: OwnerMatch['mode'] }[];
    fees: CaseFees;
  },
) {
  return {
    orderTime: c.orderTime,
    handlingDeadline: c.deadline,
    earliestNormalLocateDate: earliestNormalLocateDate(c.orderTime),
    expressWindow: expressWindow(c.orderTime),
    owners: c.owners,
    fees: c.fees,
    // T2, L5: the express fee the order will be charged when the locate is scheduled, with its VAT.
    expressFee: body.kind === 'locate' && body.express ? feeQuote([feeLine(c.fees, 'express')], customer) : null,
    // Issue 18: an emergency's own fee, charged at registration.
    emergency: body.emergency ?? false,
    handlingDueAt: c.dueAt?.toISOString() ?? null,
    emergencyFee: c.dueAt ? feeQuote(emergencyFees(c.fees), customer) : null,
  };
}

export type CaseService = ReturnType<typeof createCaseService>;

/** The locate, planning and survey use cases (L1–L18): what routes, pages, tests and benchmarks call. */
export function createCaseService(deps: {
  db: Db;
  workflows: WorkflowGateway;
  config: Pick<Config, 'publicUrl'>;
  store: DeliveryStore;
}) {
  const { db, workflows } = deps;
  const visibleCase = async (principal: Principal, lk: string) =>
    assertVisible(principal, await getCase(db, lk), `Case ${lk}`);
  const caseId = locateCaseWorkflow.workflowId;

  /** L2–L5, L10, L12: what registering a case checks and computes before anything is stored. */
  async function prepare(principal: Principal, body: NewCase, now: Date) {
    const account = (await getAccount(db, principal.accountId!))!;
    const orderTime = orderTimeOf(now);
    assertMayDoBusiness(account);
    if (account.kind === 'private' && !isAdult(account.birth_date!, stockholmDate(now))) {
      throw new ApiError(422, 'under_age', 'A private person must be at least 18 years old to order (L5)');
    }
    if (body.emergency && (body.kind !== 'locate' || body.express || body.desiredLocateDate))
      throw new ApiError(
        422,
        'emergency_locate_only',
        'Only a locate case can be an emergency; it is located at once, so it takes no express or desired locate date',
      );
    const area = validateArea(body.workArea);
    if (!area.ok)
      throw new ApiError(
        422,
        'invalid_work_area',
        `The work area is not valid: ${area.problems.map((p) => p.message).join('; ')}`,
        area.problems,
      );
    // Issue 18: an emergency (damage, urgent repair) may dig today, even after 12:00 or on a holiday.
    const earliestDig = body.emergency ? stockholmDate(now) : orderTime;
    if (body.digStart < earliestDig)
      throw new ApiError(422, 'dig_start_in_past', `The dig start must be on or after ${earliestDig}`);
    if (body.desiredLocateDate && body.desiredLocateDate < orderTime) {
      throw new ApiError(
        422,
        'desired_locate_date_in_past',
        `The desired locate date must be on or after the order time ${orderTime}`,
      );
    }
    if (body.desiredLocateDate) {
      const check = scheduleLocate(orderTime, body.desiredLocateDate, { express: body.express, split: false });
      if (!check.ok)
        throw new ApiError(
          422,
          check.reason,
          `The desired locate date ${body.desiredLocateDate} is not possible: ${check.reason.replace(/_/g, ' ')}`,
        );
    }
    // Issue 21: the coverage versions in force at the order time decide, so the match can be reproduced later.
    const owners = (await matchOwners(db, area.geometry, orderTime)).map((o) => ({
      id: o.id,
      name: o.name,
      mode: o.mode,
    }));
    // Issue 18: an emergency is due hours after registration, whatever the day; its date is the deadline.
    const dueAt = body.emergency ? emergencyDueAt(now) : null;
    const deadline = dueAt
      ? stockholmDate(dueAt)
      : body.kind === 'planning'
        ? planningDueDate(now)
        : handlingDeadlineDate(orderTime, body.digStart, body.kind === 'locate' ? body.desiredLocateDate : null);
    const fees = await caseFeesOn(db, orderTime);
    return { account, orderTime, area, deadline, dueAt, owners, fees };
  }

  return {
    visibleCase,

    /**
     * L2–L5, L10, L12: a case checked and priced as registering it would, storing nothing: the page
     * shows its order time, deadline, owners and fees before the questioner accepts the terms.
     */
    async quote(principal: Principal, body: NewCase, now = new Date()) {
      const { account, orderTime, deadline, dueAt, owners, fees } = await prepare(principal, body, now);
      return presentPrepared(body, account.kind, { orderTime, deadline, dueAt, owners, fees });
    },

    /**
     * L1–L4, L10, L12: registers a case at `now` (the order time follows L3), finds the network
     * owners whose coverage meets the work area, fixes the price-list version (T3) and starts the
     * case's workflow, which confirms with the LK number at once.
     */
    async register(principal: Principal, body: NewCase, now = new Date()) {
      if (!body.acceptTerms)
        throw new ApiError(
          422,
          'terms_not_accepted',
          'The terms of purchase must be accepted to complete the order (L1): set acceptTerms to true',
        );
      const { account, orderTime, area, deadline, dueAt, owners, fees } = await prepare(principal, body, now);
      // A3: mail about the case goes to the user who registered it.
      const questioner = await placedBy(db, principal, account);
      const termsVersion = await termsToAccept(db, body.termsVersion, now);
      const lk = await registerCase(
        db,
        {
          kind: body.kind,
          account_id: account.id,
          user_id: questioner.userId,
          work_area: area.geometry,
          area_m2: area.areaM2,
          registered_at: now,
          order_time: orderTime,
          handling_deadline: deadline,
          dig_start: body.digStart,
          desired_locate_date: body.desiredLocateDate ?? null,
          express: false,
          emergency: body.emergency ?? false,
          handling_due_at: dueAt,
          fees,
        },
        owners.map((o) => o.id),
        // The history's first steps (issue 18): registered, the terms accepted (L1), order time and deadline (L3, L10, L17).
        [
          { type: 'registered', actor: principal.id, actorRole: principal.role, data: { kind: body.kind }, at: now },
          {
            type: 'terms_accepted',
            actor: principal.id,
            actorRole: principal.role,
            data: { version: termsVersion },
            at: now,
          },
          {
            type: 'deadline_set',
            actor: 'system',
            data: {
              orderTime,
              handlingDeadline: deadline,
              desiredLocateDate: body.desiredLocateDate ?? null,
              ...(dueAt ? { emergency: true, handlingDueAt: dueAt.toISOString() } : {}),
            },
            at: now,
          },
        ],
        async (lk, trx) => {
          // L1: the acceptance, with the case's LK number, is stored with the case.
          await acceptFor(trx, questioner.userId, termsVersion, { accountId: account.id, lk });
          await workflows.start(locateCaseWorkflow, lk, {
            lk,
            kind: body.kind,
            accountId: account.id,
            questioner: { name: questioner.name, email: questioner.email, language: questioner.language },
            registeredAt: now.getTime(),
            orderTime,
            handlingDeadline: deadline,
            digStart: body.digStart,
            desiredLocateDate: body.desiredLocateDate ?? null,
            express: body.express,
            owners,
            publicUrl: deps.config.publicUrl,
            fees,
            ...(dueAt ? { emergency: true, handlingDueAt: dueAt.getTime() } : {}),
          });
        },
      );
      return {
        lk,
        kind: body.kind,
        // L1: the agreement is concluded at registration.
        agreementConcludedAt: now.toISOString(),
        termsAcceptance: await presentAcceptance(db, { lk }),
        ...presentPrepared(body, account.kind, { orderTime, deadline, dueAt, owners, fees }),
      };
    },

    /** L11: a handler's answer for one network owner. */
    async answer(principal: Principal, lk: string, body: { ownerId: string; answer: Answer; note?: string }) {
      return workflows.update(caseId(lk), answerUpdate, { ...body, by: principal.id });
    },

    /** L12: the field technician has marked the lines. */
    async locateDone(principal: Principal, lk: string) {
      return workflows.update(caseId(lk), locateDoneUpdate, { by: principal.id });
    },

    /** T2, L5: fee lines as the case's questioner is quoted them: with the VAT, a private person's total including it. */
    async quoteFor(accountId: string, lines: FeeLine[]) {
      return feeQuote(lines, (await getAccount(db, accountId))!.kind);
    },

    /**
     * L15, L16: the fee of moving (with a date) or cancelling (without) the locate, before
     * confirming. The express period counts from the change (L15); a handler moving a split
     * part may give it express (L13).
     */
    async quoteLocateChange(
      principal: Principal,
      lk: string,
      change: { date?: IsoDate; express: boolean },
    ): Promise<
      | { action: 'cancel'; accountId: string; fees: FeeLine[] }
      | { action: 'move'; accountId: string; locateDate: IsoDate; express: boolean; fees: FeeLine[] }
    > {
      const c = await visibleCase(principal, lk);
      if (c.status !== 'locate_scheduled' || !c.locate_date)
        throw new ApiError(409, 'no_locate_scheduled', `${c.lk} has no scheduled locate`);
      const accountId = c.account_id;
      if (!change.date)
        return { action: 'cancel', accountId, fees: cancellationFees(c.fees, c.locate_date, new Date()) };
      const scheduled = scheduleMove(new Date(), change.date, {
        express: change.express,
        split: c.parent_lk !== null && principal.role !== 'handler',
      });
      if (!scheduled.ok)
        throw new ApiError(
          422,
          scheduled.reason,
          `${change.date} cannot be the locate date: ${scheduled.reason.replace(/_/g, ' ')}`,
        );
      return {
        action: 'move',
        accountId,
        locateDate: scheduled.date,
        express: scheduled.express,
        fees: moveFees(c.fees, c.locate_date, scheduled.express && !c.express, new Date()),
      };
    },

    /**
     * L15: moves the locate at the fee the questioner confirmed (409 if it has changed). A
     * handler may move it on the questioner's behalf (the fee is the questioner's, shown first)
     * and give a split part express (L13: not through the portal, but through a handler).
     */
    async moveLocate(
      principal: Principal,
      lk: string,
      body: { date: IsoDate; express: boolean; expectedFeeMinor: number },
    ) {
      await visibleCase(principal, lk);
      return workflows.update(caseId(lk), moveLocateUpdate, {
        ...body,
        by: principal.id,
        byHandler: principal.role === 'handler',
      });
    },

    /** Issue 18: orders a done locate marked again (a renewal after its marks expired) at the confirmed fee. */
    async remarkLocate(
      principal: Principal,
      lk: string,
      body: { reason: RemarkReason; date?: IsoDate; expectedFeeMinor: number },
    ) {
      await visibleCase(principal, lk);
      return workflows.update(caseId(lk), remarkLocateUpdate, { ...body, by: principal.id });
    },

    /** L16: cancels the locate at the fee the questioner confirmed. */
    async cancelLocate(principal: Principal, lk: string, body: { expectedFeeMinor: number }) {
      await visibleCase(principal, lk);
      return workflows.update(caseId(lk), cancelLocateUpdate, { ...body, by: principal.id });
    },

    /** L17: delivers a planning case (its files are produced) or a survey with the handler's file. */
    async deliver(principal: Principal, lk: string, surveyUpload?: (lk: string) => Promise<CaseFile>) {
      const c = await visibleCase(principal, lk);
      const surveyFile =
        c.kind === 'survey' && c.status === 'registered' && surveyUpload ? await surveyUpload(c.lk) : undefined;
      return workflows.update(caseId(lk), deliverCaseUpdate, { by: principal.id, surveyFile });
    },

    /** Stores a survey's file under the case; answers its name and size. */
    async storeSurveyFile(lk: string, name: string, data: Buffer): Promise<CaseFile> {
      return { name, bytes: await deps.store.put(caseFileKey(lk, name), data) };
    },

    /**
     * L18: withdraws a planning case within 48 hours, before delivery: the questioner in the
     * portal, or a handler recording a notice received by e-mail (§4.2) at the time it arrived.
     */
    async withdraw(principal: Principal, lk: string, noticeReceivedAt?: Date) {
      await visibleCase(principal, lk);
      if (noticeReceivedAt && noticeReceivedAt.getTime() > Date.now())
        throw new ApiError(422, 'received_in_future', 'The withdrawal notice cannot have arrived in the future');
      return workflows.update(caseId(lk), withdrawUpdate, {
        by: principal.id,
        ...(noticeReceivedAt ? { noticeReceivedAt: noticeReceivedAt.getTime() } : {}),
      });
    },

    /** L13: splits a case into parts; each part's owners are the case's owners whose coverage meets it. */
    async split(principal: Principal, lk: string, workAreas: unknown[]) {
      const c = await visibleCase(principal, lk);
      const validated = workAreas.map((workArea, i) => {
        const area = validateArea(workArea);
        if (!area.ok)
          throw new ApiError(
            422,
            'invalid_work_area',
            `Part ${i + 1}'s work area is not valid: ${area.problems.map((x) => x.message).join('; ')}`,
            area.problems,
          );
        return area;
      });
      const parts: SplitPart[] = [];
      for (const area of validated) {
        // Issue 21: against the coverage in force at the case's order time, as the case was matched.
        const covering = new Set((await matchOwners(db, area.geometry, c.order_time)).map((o) => o.id));
        const owners = c.owners
          .filter((o) => covering.has(o.owner_id))
          .map((o) => ({ id: o.owner_id, name: o.name, mode: o.mode }));
        parts.push({ workArea: area.geometry, areaM2: area.areaM2, owners });
      }
      return workflows.update(caseId(c.lk), splitUpdate, { parts, by: principal.id });
    },

    /** L14: orders a map-only owner's locate at the confirmed fee. */
    async orderMapOnlyLocate(principal: Principal, lk: string, body: { ownerId: string; expectedFeeMinor: number }) {
      await visibleCase(principal, lk);
      return workflows.update(caseId(lk), orderMapOnlyLocateUpdate, { ...body, by: principal.id });
    },

    /** L17: orders planning add-ons at the confirmed fee. */
    async orderPlanningAddOns(
      principal: Principal,
      lk: string,
      body: { fasterDelivery: boolean; formats: VectorFormat[]; expectedFeeMinor: number },
    ) {
      await visibleCase(principal, lk);
      return workflows.update(caseId(lk), orderPlanningAddOnsUpdate, { ...body, by: principal.id });
    },

    /**
     * L7: files a written complaint; its own workflow notifies the handlers. A handler records
     * one that arrived by e-mail (§2.4) with when it arrived and the original message attached.
     */
    async fileComplaint(
      principal: Principal,
      lk: string,
      text: string,
      received?: { at: Date; original?: { name: string; data: Buffer } },
    ) {
      const c = await visibleCase(principal, lk);
      if (received && received.at.getTime() > Date.now())
        throw new ApiError(422, 'received_in_future', 'The complaint cannot have arrived in the future');
      const account = (await getAccount(db, c.account_id))!;
      // A3: the answer goes to the user who filed it; one a handler records goes to the account's contact.
      const questioner =
        principal.role === 'customer'
          ? await placedBy(db, principal, account)
          : { name: account.name, email: account.email, language: account.language };
      const id = crypto.randomUUID();
      const original = received?.original;
      // The original is stored first: a complaint never points to a file that is not there.
      if (original) await deps.store.put(complaintFileKey(c.lk, id, original.name), original.data);
      const complaint = {
        id,
        lk: c.lk,
        text,
        filed_by: principal.id,
        channel: received ? ('email' as const) : ('portal' as const),
        received_at: received?.at ?? null,
        attachment_name: original?.name ?? null,
      };
      const event = {
        type: 'complaint_filed',
        actor: principal.id,
        actorRole: principal.role,
        data: { complaintId: id, channel: complaint.channel, receivedAt: complaint.received_at, text },
      };
      await fileComplaint(db, complaint, event, () =>
        workflows.start(complaintWorkflow, id, {
          complaintId: id,
          lk: c.lk,
          accountId: c.account_id,
          text,
          questioner: { name: questioner.name, email: questioner.email, language: questioner.language },
        }),
      );
      return { id, lk: c.lk, text, channel: complaint.channel, receivedAt: complaint.received_at };
    },

    /** L7: a handler's response, recorded and sent to the questioner. */
    async respondToComplaint(principal: Principal, lk: string, complaintId: string, response: string) {
      const complaint = await getComplaint(db, complaintId);
      if (!complaint || complaint.lk !== lk)
        throw new ApiError(404, 'not_found', `Complaint ${complaintId} on ${lk} was not found`);
      return workflows.update(complaintWorkflow.workflowId(complaint.id), respondToComplaintUpdate, {
        response,
        by: principal.id,
      });
    },

    /** T3: a new version of the case fees from a future date; a stored version never changes. */
    async addPriceVersion(
      validFrom: IsoDate,
      amounts: Record<(typeof CASE_FEE_CODES)[number], number>,
    ): Promise<CaseFees> {
      // T3: a quoted or placed case keeps its prices, so a version can only start after today.
      if (validFrom <= stockholmDate(new Date()))
        throw new ApiError(
          422,
          'valid_from_not_in_future',
          `A new price list must start after today; ${validFrom} is not`,
        );
      const fees: CaseFees = {
        version: validFrom,
        amounts: Object.fromEntries(
          CASE_FEE_CODES.map((code) => [code, { minor: amounts[code], currency: 'SEK' }]),
        ) as CaseFees['amounts'],
      };
      try {
        await addCasePriceVersion(db, fees);
      } catch (err) {
        if ((err as { code?: string }).code === '23505')
          throw new ApiError(
            409,
            'version_exists',
            `A price list starting ${validFrom} already exists; its prices do not change`,
          );
        throw err;
      }
      return fees;
    },

    /**
     * L8: the account's cases and unanswered complaints whose workflows still run. Erasure waits
     * for them: they still need the questioner (the answers, the complaint's response).
     */
    async openBusiness(accountId: string) {
      const running: string[] = [];
      for (const lk of await casesOfAccount(db, accountId))
        if (await workflows.isRunning(caseId(lk))) running.push(`case ${lk}`);
      for (const c of await complaintsOfAccount(db, accountId))
        if (await workflows.isRunning(complaintWorkflow.workflowId(c.id))) running.push(`complaint on case ${c.lk}`);
      return running;
    },

    /** L8: a correction reaches every running case and complaint of the account (closed ones are skipped). */
    async questionerCorrected(accountId: string, contact: Contact) {
      for (const lk of await casesOfAccount(db, accountId))
        await workflows.signal(caseId(lk), questionerCorrectedSignal, contact);
      for (const c of await complaintsOfAccount(db, accountId))
        await workflows.signal(complaintWorkflow.workflowId(c.id), questionerCorrectedSignal, contact);
    },
  };
}
