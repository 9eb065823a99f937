import type { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Db } from '../db';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  ]);

/** `/healthz`: the process answers. `/readyz`: the database and Temporal answer too. */
export function mountHealth(router: Router, deps: { db: Db; temporal: Client }) {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 2000);
        return { ok: true };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
    };
    const [database, temporal] = await Promise.all([
      check(() => deps.db.raw('SELECT 1')),
      check(() => deps.temporal.workflowService.getSystemInfo({})),
    ]);
    const ready = database.ok && temporal.ok;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unready', checks: { database, temporal } });
  });
}
