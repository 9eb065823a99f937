import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/**
 * All configuration comes from environment variables, validated once at start.
 * A bad value stops the process with one message that lists every problem.
 */
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || protocols.some((p) => v.startsWith(`${p}:`)), {
      message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    })
    .transform((v) => (v ? v : undefined));

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: port(3000),
  PUBLIC_URL: optionalUrl(['http', 'https']),
  /** G2: an XYZ/WMTS tile URL (`…/{z}/{y}/{x}.png`) drawn under the map's own offline outlines; unset, none. */
  BASEMAP_XYZ_URL: optionalUrl(['http', 'https']).refine(
    (v) => v === undefined || ['{z}', '{x}', '{y}'].every((p) => v.includes(p)),
    { message: 'must hold {z}, {x} and {y}' },
  ),
  DATA_DIR: z.string().default(path.resolve('.data')),
  CACHE_DIR: z
    .string()
    .default(path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'kartkontor')),

  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  EMBEDDED_POSTGRES_PORT: port(54329),

  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('kartkontor'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).optional(),
  TEMPORAL_TLS_CERT: z.string().optional(),
  TEMPORAL_TLS_KEY: z.string().optional(),
  TEMPORAL_TLS_CA: z.string().optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_CLI: z.string().optional(),
  /** A workflow bundle built ahead (`npm run build:workflows`): workers start faster and smaller than bundling at start. */
  WORKFLOW_BUNDLE: z.string().optional(),
  TEMPORAL_DEV_PORT: port(7233),
  TEMPORAL_UI_PORT: port(8233),

  /** The bearer token a Prometheus scraper sends to `GET /metrics`; unset, `/metrics` answers 404. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** `host:port` where the worker serves the Temporal SDK's own Prometheus metrics; unset, none. */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port')
    .optional(),

  SMTP_URL: optionalUrl(['smtp', 'smtps']),
  MAIL_FROM: z
    .string()
    .regex(/<?[^@\s]+@[^@\s]+>?/, 'must contain an e-mail address')
    .default('Kartkontor <noreply@kartkontor.local>'),

  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(3600),
  /** G7: how long the link in a delivery e-mail opens the files. */
  DELIVERY_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(8760).default(168),
  /** G10: days a delivery's files are kept (`lagringstid`); unset, orders.rules' DELIVERY_RETENTION_DAYS. */
  DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).optional(),
  /**
   * G7: the folder of product sources (`{productId}.gpkg`, `{productId}.tif`). Unset, a demo source
   * is generated under DATA_DIR on first start.
   */
  PRODUCT_SOURCE_DIR: z.string().min(1).optional(),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  /** A4: failed sign-ins to one account (e-mail address) within 15 minutes before it is refused for the rest of them. */
  LOGIN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
  /** A2, A3: how long the link that confirms an e-mail address or accepts an invitation opens. */
  ACCOUNT_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  /** A4: how long a password-reset link opens, in seconds. */
  PASSWORD_RESET_TTL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  /** A4: staff (handlers, finance, admins) must sign in with two factors (TOTP). */
  STAFF_TOTP_REQUIRED: z.enum(['true', 'false']).default('false'),
  /** How long an Idempotency-Key stays claimed by a request that has not answered; then another may take it over. */
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
  /** How long an Idempotency-Key's answer is kept for retries; then the hourly purge drops it. */
  IDEMPOTENCY_KEY_TTL_HOURS: z.coerce.number().int().min(1).max(8760).default(24),
  SETTLEMENT_SCHEDULE_DAY: z.coerce.number().int().min(1).max(31).default(15),
  SETTLEMENT_SCHEDULE_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
    .default('06:00'),
  /** T6: the seller as every invoice document names it (Swedish VAT law); the defaults are the demo's. */
  SELLER_NAME: z.string().min(1).max(100).default('Kartkontor AB'),
  /** T6: the seller's postal address; lines separated by `|` or a new line. */
  SELLER_ADDRESS: z.string().min(1).max(300).default('Kartvägen 1|802 64 Gävle'),
  SELLER_ORG_NUMBER: z
    .string()
    .regex(/^\d{6}-\d{4}$/, 'must read NNNNNN-NNNN')
    .default('556000-0000'),
  SELLER_VAT_NUMBER: z
    .string()
    .regex(/^SE\d{10}01$/, 'must read SE + 10 digits + 01')
    .default('SE556000000001'),
  /** T6: the bankgiro number customers pay to, with its OCR reference. */
  SELLER_BANKGIRO: z
    .string()
    .regex(/^\d{3,4}-\d{4}$/, 'must read NNN-NNNN or NNNN-NNNN')
    .default('5050-1055'),
  /** The ledger export's accounts (SIE 4, BAS chart of accounts). */
  SIE_ACCOUNT_RECEIVABLES: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit BAS account')
    .default('1510'),
  SIE_ACCOUNT_BANK: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit BAS account')
    .default('1930'),
  SIE_ACCOUNT_OUTPUT_VAT: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit BAS account')
    .default('2611'),
  SIE_ACCOUNT_REVENUE_ORDERS: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit BAS account')
    .default('3010'),
  SIE_ACCOUNT_REVENUE_CASES: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit BAS account')
    .default('3020'),
  SIE_ACCOUNT_INTEREST: z
    .string()
    .regex(/^\d{4}$/, 'must be a four-digit BAS account')
    .default('8313'),
  /** The account royalties are paid from (the debtor of the pain.001 payout file). */
  SETTLEMENT_PAYER_NAME: z.string().min(1).max(70).default('Kartkontor'),
  SETTLEMENT_PAYER_IBAN: z
    .string()
    .regex(/^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/, 'must be an IBAN without spaces')
    .optional(),
});

export type Config = z.infer<typeof schema> & {
  /** True when Kartkontor starts its own Temporal dev server (no TEMPORAL_ADDRESS). */
  embeddedTemporal: boolean;
  /** True when Kartkontor starts its own PostgreSQL (no DATABASE_URL). */
  embeddedPostgres: boolean;
  temporalAddress: string;
  /** DATABASE_URL, or the embedded server that `npm start` runs. */
  databaseUrl: string;
  publicUrl: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  if (Boolean(env.TEMPORAL_TLS_CERT) !== Boolean(env.TEMPORAL_TLS_KEY)) {
    problems.push('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together');
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const c = parsed.data;
  return {
    ...c,
    embeddedTemporal: !c.TEMPORAL_ADDRESS,
    embeddedPostgres: !c.DATABASE_URL,
    temporalAddress: c.TEMPORAL_ADDRESS ?? `127.0.0.1:${c.TEMPORAL_DEV_PORT}`,
    databaseUrl: c.DATABASE_URL ?? embeddedDatabaseUrl(c.EMBEDDED_POSTGRES_PORT),
    publicUrl: c.PUBLIC_URL ?? `http://localhost:${c.PORT}`,
  };
}

/** Entry points call this: print every problem once and stop. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

export const EMBEDDED_DATABASE = 'kartkontor';
export const EMBEDDED_PASSWORD = 'kartkontor';
export const embeddedDatabaseUrl = (port: number) =>
  `postgres://postgres:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
