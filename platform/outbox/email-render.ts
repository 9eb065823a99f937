import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatMoney, type Money } from '../../domain/money';
import type { Locale } from '../../domain/vocabulary';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/**
 * E-mails are written once per language as `templates/emails/<name>.<locale>.hbs`:
 * the first line is `Subject: …`, the rest is plain text with blank lines between
 * paragraphs. The shared layouts turn that into the plain-text and the HTML message,
 * so the two can never say different things.
 */
export function createEmailRenderer(templatesDir: string) {
  const hb = Handlebars.create();
  hb.registerHelper('money', (m: Money, options: Handlebars.HelperOptions) => formatMoney(m, options.data.root.locale));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const cache = new Map<string, Handlebars.TemplateDelegate>();
  // Bodies are plain text (escaped later, per paragraph); only the HTML layout escapes itself.
  const compile = (file: string) => {
    let t = cache.get(file);
    if (!t) {
      const noEscape = !file.endsWith('.html.hbs');
      t = hb.compile(fs.readFileSync(path.join(templatesDir, 'emails', file), 'utf8'), { strict: true, noEscape });
      cache.set(file, t);
    }
    return t;
  };

  return function render(template: string, locale: Locale, data: Record<string, unknown>): RenderedEmail {
    if (!/^[a-z0-9-]+$/.test(template)) throw new Error(`bad template name: ${template}`);
    const context = { ...data, locale };
    const raw = compile(`${template}.${locale}.hbs`)(context).replace(/\r\n/g, '\n');
    const match = /^Subject: (.+)\n/.exec(raw);
    if (!match) throw new Error(`template ${template}.${locale}.hbs must start with "Subject: "`);
    const subject = match[1]!.trim();
    const body = raw.slice(match[0].length).trim();
    const paragraphs = body
      .split(/\n\s*\n/)
      .map((p) => p.trim())
      .filter(Boolean);
    const layoutData = { subject, locale, paragraphs: paragraphs.map(toHtmlParagraph), body };
    return {
      subject,
      text: compile(`layout.text.${locale}.hbs`)(layoutData),
      html: compile('layout.html.hbs')(layoutData),
    };
  };
}

/** Escapes a paragraph and turns bare URLs into links; line breaks stay line breaks. */
function toHtmlParagraph(paragraph: string): Handlebars.SafeString {
  const escaped = Handlebars.escapeExpression(paragraph);
  const linked = escaped.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}">${url}</a>`);
  return new Handlebars.SafeString(linked.replace(/\n/g, '<br>\n'));
}
