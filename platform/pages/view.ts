import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Language } from '../../domain/vocabulary';
import { dictionaries, type MessageKey } from './i18n';

const LOCALES: Record<Language, string> = { sv: 'sv-SE', en: 'en-GB' };

/** What every page gets besides its own data: the language, who is signed in, the menu, the CSRF token. */
export interface Frame {
  lang: Language;
  csrf: string;
  user?: { email: string | null; role: string };
  nav: { href: string; label: string; current: boolean }[];
  crumbs: { href?: string; label: string }[];
  title: string;
  notice?: string;
}

/**
 * The pages' Handlebars views: `templates/pages/<view>.hbs` inside `layout.hbs`, with the
 * partials of `templates/pages/partials/`. Strings come from the language's dictionary via `t`.
 */
export function createViews(dir: string) {
  const hb = Handlebars.create();
  const dict = (options: Handlebars.HelperOptions) => dictionaries[(options.data.root as Frame).lang];
  const lang = (options: Handlebars.HelperOptions) => (options.data.root as Frame).lang;

  hb.registerHelper('t', (key: MessageKey, options: Handlebars.HelperOptions) =>
    (dict(options)[key] ?? key).replace(/\{(\w+)\}/g, (_m, name: string) => String(options.hash[name] ?? '')),
  );
  hb.registerHelper(
    'st',
    (value: string, options: Handlebars.HelperOptions) => dict(options)[`status.${value}` as MessageKey] ?? value,
  );
  hb.registerHelper(
    'answer',
    (value: string, options: Handlebars.HelperOptions) => dict(options)[`answer.${value}` as MessageKey] ?? value,
  );
  hb.registerHelper(
    'role',
    (value: string, options: Handlebars.HelperOptions) => dict(options)[`accountRole.${value}` as MessageKey] ?? value,
  );
  hb.registerHelper(
    'permission',
    (value: string, options: Handlebars.HelperOptions) => dict(options)[`permission.${value}` as MessageKey] ?? value,
  );
  // Order fee lines have a kind, case fee lines a code (T1).
  hb.registerHelper('feeLine', (line: { kind?: string; code?: string }, options: Handlebars.HelperOptions) => {
    const name = line.kind ?? line.code ?? '';
    return dict(options)[`feeLine.${name}` as MessageKey] ?? name;
  });
  hb.registerHelper('money', (m: { minor: number; currency: string } | undefined, options: Handlebars.HelperOptions) =>
    m
      ? new Intl.NumberFormat(LOCALES[lang(options)], { style: 'currency', currency: m.currency }).format(m.minor / 100)
      : '',
  );
  hb.registerHelper('date', (d: string | Date | null | undefined, options: Handlebars.HelperOptions) =>
    d
      ? new Date(d).toLocaleString(LOCALES[lang(options)], {
          timeZone: 'Europe/Stockholm',
          dateStyle: 'medium',
          timeStyle: 'short',
        })
      : '–',
  );
  hb.registerHelper('day', (d: string | null | undefined) => d ?? '–');
  hb.registerHelper('since', (d: string | Date) => {
    const minutes = Math.max(0, Math.floor((Date.now() - new Date(d).getTime()) / 60_000));
    const [days, hours] = [Math.floor(minutes / 1440), Math.floor((minutes % 1440) / 60)];
    return days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes % 60} min` : `${minutes} min`;
  });
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // `(or a b …)`: whether any of the values is truthy (the last argument is Handlebars' options).
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v, null, 1));

  const compile = (file: string) => hb.compile(fs.readFileSync(file, 'utf8'), { strict: false });
  for (const file of fs.readdirSync(path.join(dir, 'partials'))) {
    hb.registerPartial(path.basename(file, '.hbs'), fs.readFileSync(path.join(dir, 'partials', file), 'utf8'));
  }
  const layout = compile(path.join(dir, 'layout.hbs'));
  const views = new Map(
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.hbs') && f !== 'layout.hbs')
      .map((f) => [path.basename(f, '.hbs'), compile(path.join(dir, f))]),
  );

  return {
    render(view: string, frame: Frame, data: object, options = { layout: true }): string {
      const template = views.get(view);
      if (!template) throw new Error(`No page view ${view}`);
      const root = { ...data, ...frame };
      return options.layout ? layout({ ...root, body: new hb.SafeString(template(root)) }) : template(root);
    },
  };
}
