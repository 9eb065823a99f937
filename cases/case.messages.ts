import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { IsoDate } from '../domain/calendar';
import type { Area } from '../domain/geometry';
import type { Contact } from '../domain/vocabulary';
import { defineWorkflow } from '../platform/temporal/contract';
import type {
  Answer,
  CaseFees,
  CaseFile,
  CaseKind,
  FeeLine,
  OwnerMode,
  RemarkReason,
  VectorFormat,
} from './cases.rules';

export interface CaseInput {
  lk: string;
  kind: CaseKind;
  accountId: string;
  questioner: Contact;
  registeredAt: number;
  orderTime: IsoDate;
  /** L10 (locate, survey) or L17 (planning): when the case must be handled. */
  handlingDeadline: IsoDate;
  digStart: IsoDate;
  desiredLocateDate: IsoDate | null;
  express: boolean;
  owners: CaseOwner[];
  publicUrl: string;
  /** A part of a split case (L13): no express through the portal. */
  part?: boolean;
  /** T3: the case fees of the price list valid at the order time. */
  fees: CaseFees;
  /** Issue 18: an emergency case, due at `handlingDueAt` (epoch ms) rather than by its handling deadline's day. */
  emergency?: boolean;
  handlingDueAt?: number;
}

export interface CaseOwner {
  id: string;
  name: string;
  mode: OwnerMode;
}

/** L13: a part of a split case as the handler drew it; the API found its owners. */
export interface SplitPart {
  workArea: Area;
  areaM2: number;
  owners: CaseOwner[];
}

export const CASE_STATUSES = [
  'registered',
  'answered',
  'locate_scheduled',
  'located',
  'cancelled',
  'delivered',
  'withdrawn',
  'split',
  'completed',
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** A case in one of these is finished; `answered` may still take a map-only owner's locate (L14) until the dig start. */
export const CLOSED_CASE_STATUSES: readonly CaseStatus[] = [
  'located',
  'cancelled',
  'delivered',
  'withdrawn',
  'completed',
];

export interface CaseState {
  status: CaseStatus;
  /** Set when a step failed on its input and the case stopped (A6); admins are alerted. */
  failure?: string;
  handlingDeadline: IsoDate;
  answers: Record<string, { answer: Answer; note: string | null }>;
  locateDate: IsoDate | null;
  express: boolean;
  overdue: boolean;
  /** L14, L17: paid add-ons: `map_only_locate:<owner>`, `faster_delivery`, a vector format. */
  addOns: string[];
  moves: number;
  /** Issue 18: the day the locate's marks were made; their validity counts from it. Absent in states before. */
  locatedOn?: IsoDate | null;
  /** Issue 18: how often the locate was re-marked or renewed. */
  remarks?: number;
  /** L13: the LK numbers of the parts. */
  parts: string[];
  /** L17, surveys: the delivered files. */
  files: CaseFile[];
}

export const caseStateQuery = defineQuery<CaseState>('state');
/** L8: the questioner corrected their name, e-mail address or language (cases and complaints). */
export const questionerCorrectedSignal = defineSignal<[Contact]>('questionerCorrected');
export const answerUpdate = defineUpdate<
  { answered: number; of: number },
  [{ ownerId: string; answer: Answer; note?: string | null; by: string }]
>('answer');
export const locateDoneUpdate = defineUpdate<CaseState, [{ by: string }]>('locateDone');
export const moveLocateUpdate = defineUpdate<
  { locateDate: IsoDate; express: boolean; fees: FeeLine[] },
  /** `by`: who moves it (history); `byHandler`: a handler moving it for the questioner, who may give a split part express (L13). */
  [{ date: IsoDate; express: boolean; expectedFeeMinor: number; by?: string; byHandler?: boolean }]
>('moveLocate');
export const cancelLocateUpdate = defineUpdate<{ fees: FeeLine[] }, [{ expectedFeeMinor: number; by?: string }]>(
  'cancelLocate',
);
/** L17: a planning case's files are produced; a survey's file was stored by the handler's upload. */
export const deliverCaseUpdate = defineUpdate<CaseState, [{ by: string; surveyFile?: CaseFile }]>('deliver');
/** L18: `noticeReceivedAt` when a handler records a withdrawal notice received by e-mail (§4.2). */
export const withdrawUpdate = defineUpdate<CaseState, [{ by?: string; noticeReceivedAt?: number }]>('withdraw');
/** L14: a locate of an owner answered "dig according to map" (map-only: for a fee; maps-primarily: free). */
export const orderMapOnlyLocateUpdate = defineUpdate<
  CaseState,
  [{ ownerId: string; expectedFeeMinor: number; by?: string }]
>('orderMapOnlyLocate');
export const orderPlanningAddOnsUpdate = defineUpdate<
  CaseState,
  [{ fasterDelivery: boolean; formats: VectorFormat[]; expectedFeeMinor: number; by?: string }]
>('orderPlanningAddOns');
/** Issue 18: the questioner orders the done locate marked again, its marks destroyed or expired (`date`: a later working day wanted). */
export const remarkLocateUpdate = defineUpdate<
  { locateDate: IsoDate; fees: FeeLine[] },
  [{ reason: RemarkReason; date?: IsoDate | null; expectedFeeMinor: number; by?: string }]
>('remarkLocate');
export const splitUpdate = defineUpdate<{ parts: string[] }, [{ parts: SplitPart[]; by: string }]>('split');

/** One workflow per locate, planning or survey case (and per part of a split case): its id is the LK number. */
export const locateCaseWorkflow = defineWorkflow<[CaseInput], CaseState>()('locateCase', (lk: string) => lk);
