import crypto from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { welcomeUserWorkflow, type WelcomeUserInput } from '../../identity/welcome-user.messages';
import { createTestDatabase, mailTo, testActivities, workflowBundle } from '../support/env';
import { timeSkippingEnvironment } from '../support/time-skipping';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  database = await createTestDatabase();
  env = await timeSkippingEnvironment();
});
afterAll(async () => {
  await env.teardown();
  await database.drop();
});

const welcome = (to: string): WelcomeUserInput => ({
  userId: crypto.randomUUID(),
  accountId: null,
  email: to,
  name: 'Test',
  language: 'en',
  signInUrl: 'http://x',
});

describe('the e-mail outbox', () => {
  it('a retried activity sends exactly once: the first SMTP attempt fails, the retry delivers', async () => {
    const taskQueue = `outbox-${crypto.randomUUID()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: testActivities(database.db),
    });
    const to = 'reject-once+retry@test.se';
    const input = welcome(to);
    await worker.runUntil(
      env.client.workflow.execute(welcomeUserWorkflow.workflowType, {
        workflowId: welcomeUserWorkflow.workflowId(input.userId),
        taskQueue,
        args: [input],
      }),
    );

    const mails = await mailTo(to, 1);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Welcome to Kartkontor, Test');
    const [row] = await database.db('outbox').where({ to_address: to });
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailTo(to, 2, 500)).toHaveLength(1);
  });

  it('the same key twice (a retry after a lost completion) sends once', async () => {
    const { sendEmail } = testActivities(database.db);
    const message = {
      key: 'same-key-1',
      template: 'welcome',
      locale: 'sv' as const,
      to: 'twice@test.se',
      data: { name: 'T', email: 'twice@test.se', signInUrl: 'http://x' },
    };
    const first = await sendEmail(message);
    const second = await sendEmail(message);
    expect(second.messageId).toBe(first.messageId);
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailTo('twice@test.se', 2, 500)).toHaveLength(1);
  });

  it('without SMTP_URL the message is held in the outbox, not dropped', async () => {
    const { sendEmail } = testActivities(database.db, { smtp: false });
    const result = await sendEmail({
      key: 'held-1',
      template: 'welcome',
      locale: 'en',
      to: 'held@test.se',
      data: { name: 'H', email: 'held@test.se', signInUrl: 'http://x' },
    });
    expect(result.status).toBe('held');
    const [row] = await database.db('outbox').where({ idempotency_key: 'held-1' });
    expect(row.subject).toBe('Welcome to Kartkontor, H');
    expect(row.text).toContain('held@test.se');
    expect(await mailTo('held@test.se', 1, 300)).toHaveLength(0);
  });

  it('renders HTML with the text escaped and links made clickable', async () => {
    const { sendEmail } = testActivities(database.db, { smtp: false });
    await sendEmail({
      key: 'escape-1',
      template: 'welcome',
      locale: 'en',
      to: 'e@test.se',
      data: { name: '<b>Eve</b>', email: 'e@test.se', signInUrl: 'https://kk.example/login' },
    });
    const [row] = await database.db('outbox').where({ idempotency_key: 'escape-1' });
    expect(row.html).toContain('&lt;b&gt;Eve&lt;/b&gt;');
    expect(row.html).toContain('<a href="https://kk.example/login">');
    expect(row.text).toContain('<b>Eve</b>');
  });
});
