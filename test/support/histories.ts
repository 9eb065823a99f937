import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { History as HistoryLike } from '@temporalio/common/lib/proto-utils';

/** Recorded workflow histories, one file per workflow type and state: `<workflowType>.<state>.json`. */
export const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'histories');

const History = temporal.api.history.v1.History;

/** protobufjs' own JSON form (enums and 64-bit numbers as strings, bytes as base64) reads back exactly. */
export const historyToJson = (history: HistoryLike) =>
  `${JSON.stringify(History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }), null, 1)}\n`;

export const historyFromJson = (text: string) => History.fromObject(JSON.parse(text));

/** A fixture's workflow type: its name up to the first dot. */
export const typeOfFixture = (file: string) => file.slice(0, file.indexOf('.'));
