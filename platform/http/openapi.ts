import { z } from 'zod';
import type { RouteSpec } from './route';

const jsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message'],
    },
  },
};

/** The OpenAPI document, generated from the same route declarations that validate requests. */
export function openApiDocument(routes: RouteSpec[], serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          schema: s,
        });
      }
    }
    if (r.idempotent) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        schema: { type: 'string', maxLength: 200 },
        description: 'Same key and body → same answer; same key, other body → 409',
      });
    }
    const status = String(r.successStatus ?? 200);
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      security:
        r.auth === 'public' ? [] : [{ bearer: [] }, ...(r.basic ? [{ basic: [] }] : []), ...(r.anonymous ? [{}] : [])],
      description:
        (r.auth === 'public'
          ? 'Public'
          : r.auth === 'authenticated'
            ? 'Any signed-in user or system account'
            : `Roles: ${r.auth.join(', ')}`) +
        (r.accountRoles ? `; in a customer account: ${r.accountRoles.join(', ')}` : '') +
        (r.anonymous ? '; without credentials where the resource is open' : ''),
      parameters,
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } }
        : {}),
      ...(r.upload
        ? {
            requestBody: {
              required: true,
              content: {
                [r.upload.mediaType]: { schema: { type: 'string' } },
                'multipart/form-data': {
                  schema: {
                    type: 'object',
                    properties: { [r.upload.multipartField]: { type: 'string', format: 'binary' } },
                    required: [r.upload.multipartField],
                  },
                },
              },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: 'OK',
          ...(r.response ? { content: { 'application/json': { schema: jsonSchema(r.response) } } } : {}),
        },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Kartkontor API', version: '1' },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } },
    },
    paths,
  };
}
