import type { Form, OpenPage, PagesKit } from '../platform/pages/kit';

const text = (form: Form, name: string) => {
  const v = form[name];
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
};

/** A message page after a link or form, with a way on. */
const message = (p: OpenPage, title: string, message: string, next?: { href: string; label: string }) =>
  p.show('message', title, { message, next });

/**
 * A2, A3: the pages anyone may open: sign-up, the links from the e-mails (a GET only shows the
 * form, so a mail scanner that follows links uses none), and the terms, each version at its own URL.
 */
export function signUpPages(kit: PagesKit) {
  kit.open('get', '/sign-up', async (p) => {
    const terms = await p.api('get', '/api/v1/terms/current');
    p.show('sign-up', p.t('signUp.title'), { terms });
  });
  kit.open('post', '/sign-up', async (p) => {
    const form = p.fields();
    const kind = text(form, 'kind');
    const answer = await p.api('post', '/api/v1/sign-up', {
      body: {
        kind,
        name: text(form, 'name'),
        email: text(form, 'email'),
        password: text(form, 'password'),
        language: p.lang,
        termsVersion: text(form, 'termsVersion'),
        ...(kind === 'organisation'
          ? { organisationNumber: text(form, 'organisationNumber'), contactName: text(form, 'contactName') }
          : { birthDate: text(form, 'birthDate') }),
      },
    });
    message(p, p.t('signUp.title'), p.t('signUp.sent').replace('{email}', answer.email));
  });

  const signIn = (p: OpenPage) => ({ href: '/app/sign-in', label: p.t('signIn.title') });
  kit.open('get', '/confirm', async (p) =>
    p.show('link-form', p.t('confirm.title'), {
      action: '/app/confirm',
      token: p.req.query.token,
      submit: p.t('confirm.submit'),
    }),
  );
  kit.open('post', '/confirm', async (p) => {
    const answer = await p.api('post', '/api/v1/sign-up/confirm', { body: { token: text(p.fields(), 'token') } });
    message(p, p.t('confirm.title'), p.t('confirm.done').replace('{email}', answer.email), signIn(p));
  });
  kit.open('get', '/invitation', async (p) =>
    p.show('link-form', p.t('invitation.title'), {
      action: '/app/invitation',
      token: p.req.query.token,
      password: p.t('reset.newPassword'),
      submit: p.t('invitation.submit'),
    }),
  );
  kit.open('post', '/invitation', async (p) => {
    const form = p.fields();
    const answer = await p.api('post', '/api/v1/invitations/accept', {
      body: { token: text(form, 'token'), password: text(form, 'password') },
    });
    message(p, p.t('invitation.title'), p.t('invitation.done').replace('{email}', answer.email), signIn(p));
  });

  kit.open('get', '/terms/:version', async (p) => {
    const terms =
      p.req.params.version === 'current'
        ? await p.api('get', '/api/v1/terms/current')
        : await p.api('get', '/api/v1/terms/:version', { params: p.req.params });
    const versions = await p.api('get', '/api/v1/terms');
    const inLanguage = terms.texts[p.lang] ?? terms.texts.sv;
    p.show('terms', `${inLanguage.title} (${p.t('terms.title').replace('{version}', terms.version)})`, {
      terms,
      paragraphs: String(inLanguage.body).split(/\n\s*\n/),
      versions: versions.items,
    });
  });
}
