import type { Logger } from '../platform/logger';

interface Running {
  stop(): Promise<void>;
  exited: Promise<void>;
}

/** Waits before restart attempt n (1, 2, 4, 8, 16 s): bounded, so a server that cannot come back is given up on. */
export const RESTART_DELAYS_MS = [1000, 2000, 4000, 8000, 16_000];

/**
 * Keeps a server `npm start` started running (issue 19): when its process ends without being
 * stopped, it is started again by `start` (on the same data) after a back-off, logged; the API and
 * the worker reconnect on their own. After RESTART_DELAYS_MS.length failed attempts in a row,
 * `giveUp` is called with one sentence, so the process can exit and a supervisor restart it all.
 * The first server is already running; `stop` stops whichever runs now.
 */
export function supervise<R extends Running>(
  name: string,
  first: R,
  start: () => Promise<R>,
  opts: {
    log: Logger;
    giveUp: (sentence: string) => void;
    delaysMs?: number[];
    /** True once the whole process is stopping: Ctrl-C reaches the servers too, and they are not restarted. */
    halted?: () => boolean;
  },
): { stop(): Promise<void> } {
  const delays = opts.delaysMs ?? RESTART_DELAYS_MS;
  let current: R | null = first;
  let stopping = false;
  const ended = () => stopping || (opts.halted?.() ?? false);
  const watch = (running: R) => {
    void running.exited.then(async () => {
      // Ctrl-C signals the whole process group at once: give the process's own handler a moment to
      // say it is stopping before calling this end unexpected.
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (ended()) return;
      current = null;
      opts.log.warn({ server: name }, `${name} ended unexpectedly; restarting it`);
      for (const [attempt, delay] of delays.entries()) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        if (ended()) return;
        try {
          const again = await start();
          if (ended()) return void (await again.stop());
          current = again;
          opts.log.info({ server: name, attempt: attempt + 1 }, `${name} restarted`);
          watch(again);
          return;
        } catch (err) {
          opts.log.warn({ server: name, attempt: attempt + 1, err }, `${name} did not restart`);
        }
      }
      opts.giveUp(
        `${name} ended and could not be restarted after ${delays.length} attempts; see the log above for why.`,
      );
    });
  };
  watch(first);
  return {
    async stop() {
      stopping = true;
      await current?.stop();
    },
  };
}
