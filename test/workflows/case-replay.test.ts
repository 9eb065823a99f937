import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NETWORK_OWNERS, seedNetworkOwners } from '../../dev/demo-network-owners';
import { addWorkingDays, orderTime as orderTimeOf } from '../../domain/calendar';
import { handlingSchedule } from '../../cases/cases.rules';
import {
  answerUpdate,
  cancelLocateUpdate,
  deliverCaseUpdate,
  locateDoneUpdate,
  moveLocateUpdate,
  orderMapOnlyLocateUpdate,
  orderPlanningAddOnsUpdate,
} from '../../cases/case.messages';
import { caseFeesOn } from '../../cases/cases.store';
import { createCaseService } from '../../cases/cases.service';
import { createDirectory } from '../../identity/directory.service';
import { localDeliveryStore } from '../../platform/file-store';
import { workflowGateway } from '../../platform/temporal/gateway';
import type { Answer, CaseKind } from '../../cases/cases.rules';
import { testActivities, workflowBundle } from '../support/env';
import { workflowTestBed } from '../support/time-skipping';

/**
 * Case workflows already running in production must keep replaying (docs/decisions.md). The
 * histories in test/fixtures/histories/ were recorded with the case workflow as it was before
 * issue 18 (`RECORD_CASE_HISTORIES=1 npx vitest run test/workflows/case-replay.test.ts` on that
 * code); every later change to `locateCase` must replay them unchanged, which `patched()` allows.
 */
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'histories');
const History = temporal.api.history.v1.History;
const fixtureFiles = () => fs.readdirSync(FIXTURES).filter((f) => f.startsWith('case-') && f.endsWith('.json'));

describe.runIf(process.env.RECORD_CASE_HISTORIES === '1')('record case histories', () => {
  let bed: Awaited<ReturnType<typeof workflowTestBed>>;
  const taskQueue = `case-replay-${crypto.randomUUID()}`;
  beforeAll(async () => {
    bed = await workflowTestBed(taskQueue, (db) => testActivities(db, { smtp: false }));
  });
  afterAll(() => bed.stop());

  it('records a located case, a map-only locate, a cancelled locate, a planning case with add-ons and a case still waiting past a reminder', async () => {
    const { database, env } = bed;
    const db = database.db;
    await seedNetworkOwners(db);
    const fees = await caseFeesOn(db, '2026-01-01');
    const directory = createDirectory({ db, welcome: async () => {} });
    const actor = { actorType: 'system' as const };
    const accountId = (
      await directory.createAccount(
        {
          kind: 'organisation',
          name: 'Replay AB',
          email: 'replay@test.se',
          organisationNumber: '556222-3333',
          language: 'en',
        },
        actor,
      )
    ).id;
    const principal = {
      kind: 'user' as const,
      id: crypto.randomUUID(),
      role: 'customer' as const,
      accountId,
      email: 'replay@test.se',
      language: 'en' as const,
    };
    const cases = createCaseService({
      db,
      workflows: workflowGateway(env.client, taskQueue),
      config: { publicUrl: 'http://x' },
      store: localDeliveryStore(path.join(os.tmpdir(), `case-replay-${crypto.randomUUID()}`)),
    });
    const start = async (kind: CaseKind) => {
      const now = new Date(await env.currentTimeMs());
      const orderTime = orderTimeOf(now);
      const { lk, handlingDeadline: deadline } = await cases.register(
        principal,
        {
          kind,
          workArea: DEMO_NETWORK_OWNERS[0]!.coverage,
          digStart: addWorkingDays(orderTime, 3),
          desiredLocateDate: kind === 'locate' ? addWorkingDays(orderTime, 7) : undefined,
          express: false,
          acceptTerms: true,
        },
        now,
      );
      return { lk, orderTime, deadline, handle: env.client.workflow.getHandle(lk) };
    };
    const answer = (h: ReturnType<typeof env.client.workflow.getHandle>, ownerId: string, a: Answer) =>
      h.executeUpdate(answerUpdate, { args: [{ ownerId, answer: a, by: 'h' }] });

    const located = await start('locate');
    await answer(located.handle, 'stockholm-el', 'locate_needed');
    await answer(located.handle, 'fiber-ost', 'information');
    await located.handle.executeUpdate(moveLocateUpdate, {
      args: [{ date: addWorkingDays(located.orderTime, 8), express: false, expectedFeeMinor: 0 }],
    });
    await located.handle.executeUpdate(locateDoneUpdate, { args: [{ by: 't' }] });
    await located.handle.result();

    const mapOnly = await start('locate');
    await answer(mapOnly.handle, 'stockholm-el', 'information');
    await answer(mapOnly.handle, 'fiber-ost', 'dig_according_to_map');
    await mapOnly.handle.executeUpdate(orderMapOnlyLocateUpdate, {
      args: [{ ownerId: 'fiber-ost', expectedFeeMinor: fees.amounts.mapOnlyOwnerLocate.minor }],
    });

    const planning = await start('planning');
    await planning.handle.executeUpdate(orderPlanningAddOnsUpdate, {
      args: [
        {
          fasterDelivery: true,
          formats: ['DXF'],
          expectedFeeMinor: fees.amounts.planningFasterDelivery.minor + fees.amounts.planningVectorFormat.minor,
        },
      ],
    });
    await planning.handle.executeUpdate(deliverCaseUpdate, { args: [{ by: 'h' }] });
    await planning.handle.result();

    const waiting = await start('locate');
    await answer(waiting.handle, 'stockholm-el', 'locate_needed');

    const cancelled = await start('locate');
    await answer(cancelled.handle, 'stockholm-el', 'locate_needed');
    await answer(cancelled.handle, 'fiber-ost', 'no_infrastructure');
    await cancelled.handle.executeUpdate(cancelLocateUpdate, { args: [{ expectedFeeMinor: 0 }] });
    await cancelled.handle.result();

    // The waiting case past its morning reminder: a history with a fired timer and a running one.
    const reminder = handlingSchedule(waiting.deadline).morningReminder;
    await env.sleep(Math.max(0, reminder.getTime() + 60_000 - (await env.currentTimeMs())));

    fs.mkdirSync(FIXTURES, { recursive: true });
    for (const [name, c] of Object.entries({ located, mapOnly, cancelled, planning, waiting })) {
      const history = await c.handle.fetchHistory();
      // protobufjs' own JSON form (enums and 64-bit numbers as strings, bytes as base64) reads back exactly.
      const json = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
      fs.writeFileSync(path.join(FIXTURES, `case-${name}.json`), `${JSON.stringify(json, null, 1)}\n`);
    }
  });
});

describe('replay', () => {
  it('every recorded case history replays with today’s case workflow', async () => {
    const files = fixtureFiles();
    expect(files.length).toBeGreaterThanOrEqual(4);
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: History.fromObject(JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8'))),
    }));
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      expect(result.error, `${result.workflowId}: ${String(result.error)}`).toBeUndefined();
    }
  });
});
