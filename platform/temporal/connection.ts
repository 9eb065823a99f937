import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import type { Config } from '../config';

/**
 * Connection options shared by the client (API, CLI) and the worker: plain for the dev
 * server, mTLS for a self-hosted cluster, API key (with TLS) for Temporal Cloud.
 */
export function temporalConnectionOptions(config: Config): { address: string; apiKey?: string; tls?: TLSConfig } {
  const read = (file: string | undefined) => (file ? fs.readFileSync(file) : undefined);
  const useTls =
    config.TEMPORAL_TLS === 'true' ||
    (config.TEMPORAL_TLS !== 'false' && Boolean(config.TEMPORAL_TLS_CERT || config.TEMPORAL_API_KEY));
  const cert = read(config.TEMPORAL_TLS_CERT);
  const key = read(config.TEMPORAL_TLS_KEY);
  return {
    address: config.temporalAddress,
    apiKey: config.TEMPORAL_API_KEY,
    tls: useTls
      ? {
          serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME,
          serverRootCACertificate: read(config.TEMPORAL_TLS_CA),
          clientCertPair: cert && key ? { crt: cert, key } : undefined,
        }
      : undefined,
  };
}
