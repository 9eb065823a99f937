/**
 * `npm run api`: the HTTP API alone, configured only through the environment.
 * Stateless: run as many behind a load balancer as needed.
 */
import { loadConfigOrExit } from '../platform/config';
import { createLogger } from '../platform/logger';
import { connectRuntime } from './runtime';
import { createServices } from './services';
import { createApp } from './api';

const config = loadConfigOrExit();
const log = createLogger(config.LOG_LEVEL, 'api');
const runtime = await connectRuntime(config);
const app = createApp({
  config,
  db: runtime.db,
  temporal: runtime.temporal,
  services: createServices({ db: runtime.db, temporal: runtime.temporal, config }),
  log,
});
const server = app.listen(config.PORT, () => log.info({ url: config.publicUrl }, 'API listening'));
// Graceful stop (issue 19): no new connections, idle keep-alive ones closed (server.close does
// both since Node 19), requests in flight answered; then the connections to PostgreSQL and Temporal close and the process exits.
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  log.info('stopping: finishing the requests in flight');
  server.close(() => {
    void runtime.close().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'closing the connections failed');
        process.exit(1);
      },
    );
  });
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
