/**
 * Rules of locate and planning cases (L3, L5, L10, L12, L14–L18). Pure: the case workflow
 * decides with these, the API quotes with them.
 */
import {
  addDays,
  addWorkingDays,
  isWorkingDay,
  orderTime,
  nextWorkingDay,
  noonOfWorkingDayBefore,
  parseIsoDate,
  stockholmDate,
  zonedInstant,
  type IsoDate,
} from '../domain/calendar';
import { add, money, vatOn, type CustomerKind, type Money } from '../domain/money';
import type { CaseOwner, CaseStatus } from './case.messages';

export const CASE_KINDS = ['locate', 'planning', 'survey'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** L17, surveys: a file a case is delivered with (the bytes are in the delivery store). */
export interface CaseFile {
  name: string;
  bytes: number;
}

/**
 * L14 (003 §3.1): how a network owner works: it locates its lines itself, it primarily supplies
 * maps (a locate can still be ordered, free), or it only supplies maps (a locate costs a fee).
 */
export const OWNER_MODES = ['locates', 'maps_primarily', 'map_only'] as const;
export type OwnerMode = (typeof OWNER_MODES)[number];

/** L11: the answers a handler may give per network owner. */
export const ANSWERS = ['no_infrastructure', 'dig_according_to_map', 'information', 'locate_needed'] as const;
export type Answer = (typeof ANSWERS)[number];

/**
 * The case fees (L12 express, L15 change, L16 cancellation, L14 a map-only owner's locate,
 * L17 faster planning delivery and each vector format, issue 18's emergency case), in öre excluding VAT (T1, T2). Their
 * amounts are in the versioned price list (`case_price_list`).
 */
export const CASE_FEE_CODES = [
  'express',
  'change',
  'cancellation',
  'mapOnlyOwnerLocate',
  'planningFasterDelivery',
  'planningVectorFormat',
  'emergency',
] as const;
export type CaseFeeCode = (typeof CASE_FEE_CODES)[number];

/** T3: the price-list version valid at a case's order time; it stays the case's for good. */
export interface CaseFees {
  version: IsoDate;
  amounts: Record<CaseFeeCode, Money>;
}

/** One fee line of the case's price list. */
export const feeLine = (fees: CaseFees, code: CaseFeeCode): FeeLine => ({ code, amount: fees.amounts[code] });

/** L12: a physical locate normally happens 5 working days after the order time; express is day 1–4. */
export const NORMAL_LOCATE_WORKING_DAYS = 5;
export const EXPRESS_WORKING_DAYS = { first: 1, last: 4 } as const;
/** L10: a case whose dig start is far ahead is handled at the latest 5 working days before it. */
export const HANDLING_DAYS_BEFORE_DIG = 5;
/** L17: a planning case is delivered as PDF within 10 working days. */
export const PLANNING_DELIVERY_WORKING_DAYS = 10;
/** L17: faster delivery of a planning case (a paid add-on) is due within 5 working days (decision). */
export const PLANNING_FASTER_DELIVERY_WORKING_DAYS = 5;
/** L17: the vector formats a planning case can be delivered in besides the free PDF. */
export const VECTOR_FORMATS = ['DXF', 'DWG', 'Shape'] as const;
export type VectorFormat = (typeof VECTOR_FORMATS)[number];
/** A locate may be moved at most this often (decision): it keeps the case workflow's history bounded. */
export const MAX_LOCATE_MOVES = 10;
/** L18: a planning case may be withdrawn within 48 hours of ordering. */
export const PLANNING_WITHDRAWAL_MS = 48 * 3_600_000;
/** A handling deadline falls at the end of the office day, 16:00 Stockholm time (decision). */
export const OFFICE_CLOSES_HOUR = 16;

/**
 * L10, L12: handled the same or the next working day after the order time; when the dig start
 * is far ahead, at the latest 5 working days before it — and, for a locate, at the latest the
 * working day before the desired locate date, so that the locate can happen on it — whichever
 * of these is later than the next working day.
 */
export function handlingDeadlineDate(
  orderTime: IsoDate,
  digStart: IsoDate,
  desiredLocateDate?: IsoDate | null,
): IsoDate {
  const soon = addWorkingDays(orderTime, 1);
  let far = addWorkingDays(digStart, -HANDLING_DAYS_BEFORE_DIG);
  if (desiredLocateDate) {
    const beforeLocate = addWorkingDays(desiredLocateDate, -1);
    if (beforeLocate < far) far = beforeLocate;
  }
  return far > soon ? far : soon;
}

/** The instants a handler is reminded at and the case escalates at (L10). */
export function handlingSchedule(deadline: IsoDate) {
  const due = zonedInstant(deadline, OFFICE_CLOSES_HOUR, 0, 'Europe/Stockholm');
  return {
    morningReminder: zonedInstant(deadline, 8, 0, 'Europe/Stockholm'),
    lastReminder: new Date(due.getTime() - 2 * 3_600_000),
    due,
  };
}

export const earliestNormalLocateDate = (orderTime: IsoDate) => addWorkingDays(orderTime, NORMAL_LOCATE_WORKING_DAYS);
/** L12: working day 1 to 4 counted from `from` (an order time, or for a move the day of the change, L15). */
export const expressWindow = (from: IsoDate) => ({
  first: addWorkingDays(from, EXPRESS_WORKING_DAYS.first),
  last: addWorkingDays(from, EXPRESS_WORKING_DAYS.last),
});

export type LocateDateRefusal =
  'not_a_working_day' | 'before_order_time' | 'date_in_past' | 'express_not_allowed_for_split_case' | 'express_period';

/**
 * L12, L13: the locate date for a requested date. A date at least 5 working days after the
 * order time is kept; an earlier date inside the express window is express (for a fee) —
 * except for split cases (L13) — and anything earlier still moves to the earliest normal date.
 */
export function scheduleLocate(
  orderTime: IsoDate,
  requested: IsoDate,
  opts: { express: boolean; split: boolean; today?: IsoDate },
): { ok: true; date: IsoDate; express: boolean } | { ok: false; reason: LocateDateRefusal } {
  parseIsoDate(requested);
  if (!isWorkingDay(requested)) return { ok: false, reason: 'not_a_working_day' };
  // A locate that is moved later can only go to a day after today.
  if (opts.today && requested <= opts.today) return { ok: false, reason: 'date_in_past' };
  const normal = earliestNormalLocateDate(orderTime);
  if (requested >= normal) return { ok: true, date: requested, express: false };
  if (!opts.express) return { ok: true, date: normal, express: false };
  if (opts.split) return { ok: false, reason: 'express_not_allowed_for_split_case' };
  const window = expressWindow(orderTime);
  if (requested < window.first) return { ok: false, reason: 'before_order_time' };
  return { ok: true, date: requested, express: true };
}

/**
 * L12, L10: the locate date when every owner has answered. The desired date as `scheduleLocate`
 * keeps it — unless the answers came so late that it is today or already past: then the locate
 * goes to the earliest normal date, or the next working day if that has passed too. A passed
 * express date is not express (and costs no express fee): the delay was the service's.
 */
export function locateDateOnAnswers(
  orderTime: IsoDate,
  desired: IsoDate | null,
  opts: { express: boolean; split: boolean; today: IsoDate },
): { date: IsoDate; express: boolean } {
  const scheduled = desired ? scheduleLocate(orderTime, desired, { express: opts.express, split: opts.split }) : null;
  const normal = earliestNormalLocateDate(orderTime);
  const date = scheduled?.ok ? scheduled.date : normal;
  if (date > opts.today) return { date, express: Boolean(scheduled?.ok && scheduled.express) };
  return { date: normal > opts.today ? normal : nextWorkingDay(opts.today), express: false };
}

/**
 * L15, L13: the new date of a moved locate. It must be a working day after the day of the
 * change; one inside the express period counted from the change (working day 1 to 4 after it)
 * is express — ordered as such, never for a split part through the portal — and costs the
 * express fee.
 */
export function scheduleMove(
  changedAt: Date,
  requested: IsoDate,
  opts: { express: boolean; split: boolean },
): { ok: true; date: IsoDate; express: boolean } | { ok: false; reason: LocateDateRefusal } {
  parseIsoDate(requested);
  if (!isWorkingDay(requested)) return { ok: false, reason: 'not_a_working_day' };
  const today = stockholmDate(changedAt);
  if (requested <= today) return { ok: false, reason: 'date_in_past' };
  if (requested > expressWindow(today).last) return { ok: true, date: requested, express: false };
  if (opts.split) return { ok: false, reason: 'express_not_allowed_for_split_case' };
  if (!opts.express) return { ok: false, reason: 'express_period' };
  return { ok: true, date: requested, express: true };
}

export interface FeeLine {
  code: CaseFeeCode;
  amount: Money;
}

/**
 * T2, L5: a fee quote as shown and confirmed: each line's net amount, the VAT on it (25 %,
 * rounded per line as the invoice rounds it) and the total the questioner will pay. A private
 * person's total includes the VAT; an organisation is invoiced the same lines with the VAT
 * shown. The confirmation (`expectedFeeMinor`) is the net sum, as the fees are stated.
 */
export function feeQuote(lines: FeeLine[], kind: CustomerKind) {
  const vat = lines.map((l) => vatOn(l.amount));
  const net = money(feeTotal(lines), 'SEK');
  const vatSum = vat.reduce((sum, v) => add(sum, v), money(0, 'SEK'));
  return {
    lines: lines.map((l, i) => ({ code: l.code, net: l.amount, vat: vat[i]!, amount: add(l.amount, vat[i]!) })),
    net,
    vat: vatSum,
    total: add(net, vatSum),
    vatIncluded: true,
    customerKind: kind,
  };
}

/** L15: moving a locate is free until 12:00 on the working day before its date; a new date inside the express window adds the express fee. */
export function moveFees(fees: CaseFees, currentDate: IsoDate, newDateIsExpress: boolean, now: Date): FeeLine[] {
  const lines: FeeLine[] = [];
  if (now.getTime() >= noonOfWorkingDayBefore(currentDate).getTime()) lines.push(feeLine(fees, 'change'));
  if (newDateIsExpress) lines.push(feeLine(fees, 'express'));
  return lines;
}

/**
 * L14 (003 §3.1): the fee of a physical locate of an owner answered "dig according to map": a
 * map-only owner's costs the fee; one of an owner that primarily supplies maps has no fee named
 * in the terms, so it is free (decision).
 */
export function ownerLocateFees(fees: CaseFees, mode: OwnerMode): FeeLine[] {
  return mode === 'map_only' ? [feeLine(fees, 'mapOnlyOwnerLocate')] : [];
}

/** L14: whether an owner answered "dig according to map" may have its lines located on order. */
export const offersLocateOnOrder = (mode: OwnerMode, answer: Answer | null | undefined) =>
  (mode === 'map_only' || mode === 'maps_primarily') && answer === 'dig_according_to_map';

/** L16: cancelling is free until 12:00 on the working day before the locate date. */
export function cancellationFees(fees: CaseFees, locateDate: IsoDate, now: Date): FeeLine[] {
  return now.getTime() >= noonOfWorkingDayBefore(locateDate).getTime() ? [feeLine(fees, 'cancellation')] : [];
}

/**
 * L17 (003 §4.1): the PDF is due within 10 working days from the registration date — the
 * calendar date of registration in Stockholm, not the order time, so a registration after
 * 12:00 is not given an extra day. A registration on a non-working day counts from it as
 * working days do (the first is the next working day).
 */
export const planningDueDate = (registeredAt: Date) =>
  addWorkingDays(stockholmDate(registeredAt), PLANNING_DELIVERY_WORKING_DAYS);
/** L17: faster delivery (decision: 5 working days) counts from the registration date too. */
export const planningFasterDueDate = (registeredAt: Date) =>
  addWorkingDays(stockholmDate(registeredAt), PLANNING_FASTER_DELIVERY_WORKING_DAYS);

/** L17: the fees of planning add-ons: faster delivery once, each vector format once. */
export function planningAddOnFees(
  fees: CaseFees,
  fasterDelivery: boolean,
  formats: readonly VectorFormat[],
): FeeLine[] {
  return [
    ...(fasterDelivery ? [feeLine(fees, 'planningFasterDelivery')] : []),
    ...formats.map(() => feeLine(fees, 'planningVectorFormat')),
  ];
}

export const feeTotal = (fees: FeeLine[]): number => fees.reduce((sum, f) => sum + f.amount.minor, 0);

/** L18: withdrawal is possible within 48 hours of ordering, until delivered. */
export function canWithdraw(orderedAt: Date, now: Date, delivered: boolean): boolean {
  return !delivered && now.getTime() - orderedAt.getTime() <= PLANNING_WITHDRAWAL_MS;
}

/** LK numbers read `LK-2026-000123`: year of registration and a gapless sequence within it. */
export const lkNumber = (year: number, sequence: number) => `LK-${year}-${String(sequence).padStart(6, '0')}`;

/** What of a case decides which actions a user is offered on it (as the API shows the case). */
export interface CaseFacts {
  kind: CaseKind;
  status: CaseStatus;
  owners: readonly (Pick<CaseOwner, 'id' | 'mode'> & { answer: Answer | null })[];
  /** L18: when the case was registered (its withdrawal period counts from then). */
  registeredAt?: string | Date;
  /** L13: the case this one is a part of. */
  parentLk?: string | null;
}

/** The actions a user may take on a case; each is one API call that the case workflow still decides. */
export interface CaseActions {
  /** L11: a handler answers per network owner (each owner not yet answered) while the case is registered. */
  answer: boolean;
  /** L13: a handler splits a locate case before any owner is answered. */
  split: boolean;
  /** L12: a handler records that the scheduled locate is done. */
  locateDone: boolean;
  /** L17: a handler delivers a planning case. */
  deliver: boolean;
  /** L15, L16: the customer moves or cancels a scheduled locate (fee first). */
  moveLocate: boolean;
  cancelLocate: boolean;
  /** L18: the customer withdraws a planning case; a handler records a notice received by e-mail. */
  withdraw: boolean;
  /** L17: the customer orders faster delivery or vector formats for a planning case (fee first). */
  addOns: boolean;
  /** L14: the owners whose locate the customer may order: map-only and maps-primarily owners answered "dig according to map". */
  mapOnlyLocate: string[];
  /** L7: the customer files a complaint, a handler records one received by e-mail; a handler responds to one. */
  complain: boolean;
  respond: boolean;
}

/** The actions `role` (customer, handler, finance, admin) is offered on a case. */
export function caseActions(c: CaseFacts, role: string, now = new Date()): CaseActions {
  const handler = role === 'handler';
  const customer = role === 'customer';
  const registered = c.status === 'registered';
  const scheduled = c.status === 'locate_scheduled';
  const planning = c.kind === 'planning';
  return {
    answer: handler && registered && !planning,
    split: handler && c.kind === 'locate' && !c.parentLk && registered && c.owners.every((o) => o.answer === null),
    locateDone: handler && scheduled,
    deliver: handler && planning && registered,
    // A handler moves it on the questioner's behalf (and may give a split part express, L13).
    moveLocate: (customer || handler) && scheduled,
    cancelLocate: customer && scheduled,
    // L18: a handler records a withdrawal notice received by e-mail, judged by when it arrived.
    withdraw:
      planning &&
      registered &&
      (handler || (customer && (c.registeredAt === undefined || canWithdraw(new Date(c.registeredAt), now, false)))),
    addOns: customer && planning && registered,
    mapOnlyLocate:
      customer && c.status === 'answered'
        ? c.owners.filter((o) => offersLocateOnOrder(o.mode, o.answer)).map((o) => o.id)
        : [],
    // L7 (§2.4): complaints arrive in writing by e-mail too; a handler records them.
    complain: customer || handler,
    respond: handler,
  };
}

/** Issue 18: the hour (Stockholm time) of the handlers' daily digest, before the 08:00 reminders (L10). */
export const HANDLER_DIGEST_HOUR = 7;

/**
 * Issue 18 (locate-service practice): the marks of a done locate are valid this many calendar
 * days from the day they were made; digging after that needs a renewed locate. The terms name no
 * figure (decision: 30 days, docs/decisions.md).
 */
export const LOCATE_VALIDITY_DAYS = 30;
/** Issue 18: after the marks expire, a renewal can still be ordered on the case this many days (decision). */
export const LOCATE_RENEWAL_DAYS = 30;
/** A case's locate may be re-marked or renewed at most this often (decision): it bounds the workflow's history. */
export const MAX_REMARKS = 5;
/** The last day the marks of a locate done on `locatedOn` are valid. */
export const locateValidUntil = (locatedOn: IsoDate): IsoDate => addDays(locatedOn, LOCATE_VALIDITY_DAYS);
export const locateExpired = (locatedOn: IsoDate, today: IsoDate) => today > locateValidUntil(locatedOn);
/** Until when (start of that Stockholm day) the case takes a renewal after marks made on `locatedOn`. */
export const remarkOpenUntil = (locatedOn: IsoDate) =>
  zonedInstant(addDays(locateValidUntil(locatedOn), LOCATE_RENEWAL_DAYS + 1), 0, 0, 'Europe/Stockholm');

/** Why a done locate is marked again: its marks expired (a renewal) or were destroyed. */
export const REMARK_REASONS = ['renewal', 'marks_destroyed'] as const;
export type RemarkReason = (typeof REMARK_REASONS)[number];

/**
 * Issue 18: a renewed locate is a new order for the same area at the time it is asked for: its
 * date follows L12's normal rule from that order time (a requested later working day is kept;
 * no express).
 */
export function remarkDate(now: Date, requested?: IsoDate | null): IsoDate {
  const orderedAt = orderTime(now);
  const scheduled = requested ? scheduleLocate(orderedAt, requested, { express: false, split: false }) : null;
  return scheduled?.ok ? scheduled.date : earliestNormalLocateDate(orderedAt);
}

/** Issue 18: no fee for a re-mark (marks destroyed) or a renewal is named in the terms or the price list, so it is free (decision). */
export const remarkFees = (): FeeLine[] => [];

/**
 * Issue 18 (locate-service practice): an emergency case (damage or urgent repair) is answered at
 * once: handlers are alerted at registration and it is due this many hours after it, not by a
 * working-day deadline (decision).
 */
export const EMERGENCY_HANDLING_HOURS = 3;
export const emergencyDueAt = (registeredAt: Date) =>
  new Date(registeredAt.getTime() + EMERGENCY_HANDLING_HOURS * 3_600_000);
/** Issue 18: an emergency case costs its own fee from the price list, charged at registration. */
export const emergencyFees = (fees: CaseFees): FeeLine[] => [feeLine(fees, 'emergency')];
