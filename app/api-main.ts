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
const stop = () => server.close(() => void runtime.close());
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
