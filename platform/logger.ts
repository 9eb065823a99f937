import pino, { type Logger } from 'pino';

/** One structured logger; children carry the component and, in the API, the request id. */
export function createLogger(level: string, component?: string): Logger {
  const logger = pino({ level, base: { service: 'kartkontor' } });
  return component ? logger.child({ component }) : logger;
}
export type { Logger };
