import crypto from 'node:crypto';
import type { NextFunction, Request, Response, Router } from 'express';
import { Histogram, Registry } from 'prom-client';
import { ApiError, errorBody } from './errors';

/**
 * The API's Prometheus registry and its HTTP histogram. The route label is the route's pattern
 * (`/api/v1/orders/:id`), never the path, so ids make no new series; unmatched paths share one.
 */
export function createHttpMetrics() {
  const registry = new Registry();
  const duration = new Histogram({
    name: 'kartkontor_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status, and how long they took',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware = (req: Request, res: Response, next: NextFunction) => {
    const end = duration.startTimer();
    res.on('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware };
}

const sameSecret = (given: string, expected: string) => {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
};

/**
 * `GET /metrics` for a scraper holding METRICS_TOKEN as its bearer token. Without a token
 * configured the route does not exist (404), so metrics are never public by mistake.
 */
export function mountMetrics(router: Router, deps: { registry: Registry; token: string | undefined }) {
  router.get('/metrics', async (req, res, next) => {
    if (!deps.token) return next();
    const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (!given || !sameSecret(given, deps.token)) {
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer')
        .json(errorBody(new ApiError(401, 'unauthenticated', 'Metrics need the METRICS_TOKEN bearer token')));
      return;
    }
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });
}
