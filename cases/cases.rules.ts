/**
 * Rules of locate and planning cases (L3, L5, L10, L12, L14–L18). Pure: the case workflow
 * decides with these, the API quotes with them.
 */
import {
  addWorkingDays,
  isWorkingDay,
  noonOfWorkingDayBefore,
  parseIsoDate,
  zonedInstant,
  type IsoDate,
} from '../domain/calendar';
import type { Money } from '../domain/money';
import type { CaseOwner, CaseStatus } from './case.messages';

export const CASE_KINDS = ['locate', 'planning', 'survey'] as const;
export type CaseKind = (typeof CASE_KINDS)[number];

/** L17, surveys: a file a case is delivered with (the bytes are in the delivery store). */
export interface CaseFile {
  name: string;
  bytes: number;
}

/** L11: the answers a handler may give per network owner. */
export const ANSWERS = ['no_infrastructure', 'dig_according_to_map', 'information', 'locate_needed'] as const;
export type Answer = (typeof ANSWERS)[number];

/**
 * The case fees (L12 express, L15 change, L16 cancellation, L14 a map-only owner's locate,
 * L17 faster planning delivery and each vector format), in öre excluding VAT (T1, T2). Their
 * amounts are in the versioned price list (`case_price_list`).
 */
export const CASE_FEE_CODES = [
  'express',
  'change',
  'cancellation',
  'mapOnlyOwnerLocate',
  'planningFasterDelivery',
  'planningVectorFormat',
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
 * L10: handled the same or the next working day after the order time; when the dig start
 * is far ahead, at the latest 5 working days before it, whichever is later.
 */
export function handlingDeadlineDate(orderTime: IsoDate, digStart: IsoDate): IsoDate {
  const soon = addWorkingDays(orderTime, 1);
  const beforeDig = addWorkingDays(digStart, -HANDLING_DAYS_BEFORE_DIG);
  return beforeDig > soon ? beforeDig : soon;
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
export const expressWindow = (orderTime: IsoDate) => ({
  first: addWorkingDays(orderTime, EXPRESS_WORKING_DAYS.first),
  last: addWorkingDays(orderTime, EXPRESS_WORKING_DAYS.last),
});

export type LocateDateRefusal =
  'not_a_working_day' | 'before_order_time' | 'date_in_past' | 'express_not_allowed_for_split_case';

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

export interface FeeLine {
  code: CaseFeeCode;
  amount: Money;
}

/** L15: moving a locate is free until 12:00 on the working day before its date; a new date inside the express window adds the express fee. */
export function moveFees(fees: CaseFees, currentDate: IsoDate, newDateIsExpress: boolean, now: Date): FeeLine[] {
  const lines: FeeLine[] = [];
  if (now.getTime() >= noonOfWorkingDayBefore(currentDate).getTime()) lines.push(feeLine(fees, 'change'));
  if (newDateIsExpress) lines.push(feeLine(fees, 'express'));
  return lines;
}

/** L16: cancelling is free until 12:00 on the working day before the locate date. */
export function cancellationFees(fees: CaseFees, locateDate: IsoDate, now: Date): FeeLine[] {
  return now.getTime() >= noonOfWorkingDayBefore(locateDate).getTime() ? [feeLine(fees, 'cancellation')] : [];
}

/** L17: the PDF is due within 10 working days of the order time. */
export const planningDueDate = (orderTime: IsoDate) => addWorkingDays(orderTime, PLANNING_DELIVERY_WORKING_DAYS);

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
  /** L18: the customer withdraws a planning case. */
  withdraw: boolean;
  /** L17: the customer orders faster delivery or vector formats for a planning case (fee first). */
  addOns: boolean;
  /** L14: the owners whose locate the customer may order: map-only owners answered "dig according to map". */
  mapOnlyLocate: string[];
  /** L7: the customer files a complaint; a handler responds to one. */
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
    moveLocate: customer && scheduled,
    cancelLocate: customer && scheduled,
    withdraw:
      customer &&
      planning &&
      registered &&
      (c.registeredAt === undefined || canWithdraw(new Date(c.registeredAt), now, false)),
    addOns: customer && planning && registered,
    mapOnlyLocate:
      customer && c.status === 'answered'
        ? c.owners.filter((o) => o.mode === 'map_only' && o.answer === 'dig_according_to_map').map((o) => o.id)
        : [],
    complain: customer,
    respond: handler,
  };
}
