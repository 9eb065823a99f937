import { expect, it } from 'vitest';
import { supervise } from '../../dev/supervise';
import { log } from '../support/env';

/** A stand-in server: `die()` ends it as a crash would. */
function fakeServer() {
  let die!: () => void;
  const exited = new Promise<void>((resolve) => (die = resolve));
  return {
    exited,
    die,
    stopped: false,
    async stop() {
      this.stopped = true;
      die();
    },
  };
}

it('restarts a server that ends unexpectedly, and stops the one running now', async () => {
  const first = fakeServer();
  const second = fakeServer();
  let restarts = 0;
  const supervised = supervise('test server', first, async () => ((restarts += 1), second), {
    log,
    giveUp: () => expect.unreachable(),
    delaysMs: [10],
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(restarts).toBe(0);
  first.die();
  await expect.poll(() => restarts).toBe(1);
  await supervised.stop();
  expect(second.stopped).toBe(true);
});

it('gives up with one sentence after the bounded attempts fail, so the process can exit non-zero', async () => {
  const first = fakeServer();
  let attempts = 0;
  let sentence = '';
  supervise(
    'test server',
    first,
    async () => {
      attempts += 1;
      throw new Error('port in use');
    },
    { log, giveUp: (s) => (sentence = s), delaysMs: [5, 5, 5] },
  );
  first.die();
  await expect
    .poll(() => sentence)
    .toBe('test server ended and could not be restarted after 3 attempts; see the log above for why.');
  expect(attempts).toBe(3);
});

it('a server stopped on purpose is not restarted', async () => {
  const first = fakeServer();
  let restarted = false;
  const supervised = supervise('test server', first, async () => ((restarted = true), fakeServer()), {
    log,
    giveUp: () => expect.unreachable(),
    delaysMs: [5],
  });
  await supervised.stop();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(first.stopped).toBe(true);
  expect(restarted).toBe(false);
});
