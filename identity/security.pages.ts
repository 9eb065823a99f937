import type { PagesKit } from '../platform/pages/kit';

/**
 * A4: the signed-in user's password and two-factor sign-in, and the password reset anyone may ask
 * for (its link's GET only shows the form).
 */
export function securityPages(kit: PagesKit) {
  const title = 'security.title' as const;
  kit.get('/security', async (p) => {
    const me = await p.api('get', '/api/v1/me');
    p.show('security', p.t(title), { me }, [{ label: p.t(title) }]);
  });
  kit.post('/security/password', async (p) => {
    const form = p.fields();
    await p.api('post', '/api/v1/me/password', {
      body: { currentPassword: form.currentPassword, newPassword: form.newPassword },
    });
    // Every session ended with the change, this one too.
    p.done('/app/sign-in');
  });
  kit.post('/security/two-factor/setup', async (p) => {
    const me = await p.api('get', '/api/v1/me');
    const password = p.fields().password;
    const setup = await p.api('post', '/api/v1/auth/two-factor/setup', { body: { email: me.email, password } });
    p.show('security', p.t(title), { me, setup }, [{ label: p.t(title) }]);
  });
  kit.post('/security/two-factor/enable', async (p) => {
    const me = await p.api('get', '/api/v1/me');
    const { password, code } = p.fields();
    const enabled = await p.api('post', '/api/v1/auth/two-factor/enable', {
      body: { email: me.email, password, code },
    });
    p.show('security', p.t(title), { me: { ...me, twoFactor: true }, recoveryCodes: enabled.recoveryCodes }, [
      { label: p.t(title) },
    ]);
  });

  kit.open('get', '/password-reset', async (p) => p.show('password-reset', p.t('reset.title'), {}));
  kit.open('post', '/password-reset', async (p) => {
    const email = String(p.fields().email ?? '');
    await p.api('post', '/api/v1/password-reset', { body: { email } });
    p.show('message', p.t('reset.title'), { message: p.t('reset.sent').replace('{email}', email) });
  });
  kit.open('get', '/password-reset/new', async (p) =>
    p.show('link-form', p.t('reset.title'), {
      action: '/app/password-reset/new',
      token: p.req.query.token,
      password: p.t('reset.newPassword'),
      submit: p.t('reset.submit'),
    }),
  );
  kit.open('post', '/password-reset/new', async (p) => {
    const { token, password } = p.fields();
    await p.api('post', '/api/v1/password-reset/confirm', { body: { token, password } });
    p.show('message', p.t('reset.title'), {
      message: p.t('reset.done'),
      next: { href: '/app/sign-in', label: p.t('signIn.title') },
    });
  });
}
