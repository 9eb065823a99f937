import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectory } from '../../identity/directory.service';
import { call, login, mailTo, startBackOffice, type TestBackOffice } from '../support/env';

let office: TestBackOffice & { drop(): Promise<void> };
let admin: string;

beforeAll(async () => {
  office = await startBackOffice();
  await createDirectory({ db: office.db, welcome: async () => {} }).createUser(
    { email: 'root@test.se', name: 'Root', password: 'root-password-1', role: 'admin' },
    { actorType: 'system' },
  );
  admin = await login(office.baseUrl, 'root@test.se', 'root-password-1');
});
afterAll(() => office.drop());

const newAccount = {
  kind: 'organisation',
  name: 'Gräv AB',
  email: 'info@grav.example.se',
  organisationNumber: '556999-1234',
  language: 'en',
};

describe('errors', () => {
  it('answers field-level messages for an invalid body, and stores nothing', async () => {
    const res = await call(office.baseUrl, 'POST', '/api/v1/accounts', {
      token: admin,
      body: { kind: 'organisation', name: '', email: 'not-an-email', organisationNumber: '12' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.email', 'body.organisationNumber']));
    expect(await office.db('accounts').count('* as n').first()).toEqual({ n: 0 });
  });

  it('answers malformed JSON with 400 in the error shape', async () => {
    const res = await fetch(`${office.baseUrl}/api/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: '{"kind":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });

  it('answers an unknown route with 404 not_found and a request id', async () => {
    const res = await call(office.baseUrl, 'GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('Idempotency-Key', () => {
  it('same key and body → the same answer, and one account', async () => {
    const headers = { 'Idempotency-Key': 'create-grav-1' };
    const first = await call(office.baseUrl, 'POST', '/api/v1/accounts', { token: admin, body: newAccount, headers });
    const second = await call(office.baseUrl, 'POST', '/api/v1/accounts', { token: admin, body: newAccount, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(await office.db('accounts').where({ name: 'Gräv AB' })).toHaveLength(1);
  });

  it('same key, another body → 409', async () => {
    const res = await call(office.baseUrl, 'POST', '/api/v1/accounts', {
      token: admin,
      body: { ...newAccount, name: 'Annat AB' },
      headers: { 'Idempotency-Key': 'create-grav-1' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('idempotency_key_reused');
    expect(await office.db('accounts').where({ name: 'Annat AB' })).toHaveLength(0);
  });
});

describe('creating a user', () => {
  it('sends the welcome e-mail over SMTP through a workflow, in the user language', async () => {
    const account = await call(office.baseUrl, 'POST', '/api/v1/accounts', {
      token: admin,
      body: { ...newAccount, name: 'Welcome AB' },
    });
    const user = await call(office.baseUrl, 'POST', '/api/v1/users', {
      token: admin,
      body: {
        email: 'new.user@grav.example.se',
        name: 'Nya Användaren',
        password: 'long-enough-pw',
        role: 'customer',
        accountId: account.body.id,
        language: 'sv',
      },
    });
    expect(user.status).toBe(201);
    expect(user.body).not.toHaveProperty('password_hash');
    const [mail] = await mailTo('new.user@grav.example.se');
    expect(mail!.subject).toBe('Välkommen till Kartkontor, Nya Användaren');
    expect(mail!.text).toContain('new.user@grav.example.se');
    expect(mail!.html).toContain(`<a href="${office.baseUrl}">`);
    const audit = await office.db('audit_log').where({ action: 'user.created', object_id: user.body.id });
    expect(audit).toHaveLength(1);
    expect(audit[0].request_id).toBeTruthy();
  });

  it('refuses a second user with the same e-mail with 409', async () => {
    const res = await call(office.baseUrl, 'POST', '/api/v1/users', {
      token: admin,
      body: { email: 'root@test.se', name: 'Again', password: 'long-enough-pw', role: 'handler' },
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('already_exists');
  });
});

describe('API documents', () => {
  it('serves the OpenAPI document generated from the route schemas, and a viewer', async () => {
    const doc = await call(office.baseUrl, 'GET', '/api/openapi.json');
    expect(doc.body.openapi).toBe('3.1.0');
    const login = doc.body.paths['/api/v1/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    expect(doc.body.paths['/api/v1/invoices/{id}'].get.parameters[0]).toMatchObject({
      name: 'id',
      in: 'path',
      required: true,
    });
    const viewer = await fetch(`${office.baseUrl}/api/docs`);
    expect(await viewer.text()).toContain('swagger-ui');
    expect((await fetch(`${office.baseUrl}/api/docs/assets/swagger-ui-bundle.js`)).status).toBe(200);
  });
});
