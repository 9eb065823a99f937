import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';

const SCREENSHOTS = path.resolve('test-artifacts/screenshots');
/** axe-core from the local package, evaluated into the page (DevTools evaluation is not an inline script, so the CSP holds). */
const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Debian's chromium, headless, with nothing that reaches out to the network by itself. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

export async function screenshot(page: Page, name: string) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Whether the element has the keyboard focus. */
export const focused = async (locator: Locator) => (await locator.and(locator.page().locator(':focus')).count()) === 1;

/** What the browser refused under the Content Security Policy, over a test file: expected to stay empty. */
export const cspViolations: string[] = [];
const watched = new WeakSet<Page>();

/** Records the page's CSP violations (Chromium logs each one to the console) in `cspViolations`. */
export function watchCsp(page: Page) {
  if (watched.has(page)) return;
  watched.add(page);
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
  });
}

/** Signs in through the form and lands on the user's first page; the page's CSP violations are watched from then on. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string) {
  watchCsp(page);
  await page.goto(`${baseUrl}/app/sign-in`);
  await page.getByLabel(/E-mail|E-post/).fill(email);
  await page.getByLabel(/Password|Lösenord/).fill(password);
  await page.getByRole('button', { name: /Sign in|Logga in/ }).click();
  await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
}

/**
 * Basic accessibility: every form control has a label (or aria-label), every action is a real
 * link with an href or a button, and nothing is clickable that the keyboard cannot reach.
 */
export async function expectAccessible(page: Page) {
  // Runs in the browser, so it is given as JavaScript source (the project is type-checked without DOM types).
  const problems = await page.evaluate<string[]>(`(() => {
    const found = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      if (el.labels.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) found.push('unlabelled ' + el.tagName + ' ' + el.name);
    }
    for (const a of document.querySelectorAll('a')) if (!a.getAttribute('href')) found.push('link without href: ' + a.textContent);
    for (const el of document.querySelectorAll('[onclick], [tabindex="-1"]')) if (!['A', 'BUTTON'].includes(el.tagName)) found.push('clickable ' + el.tagName);
    if (!document.documentElement.lang) found.push('no lang on <html>');
    if (document.querySelectorAll('h1').length !== 1) found.push('not exactly one h1');
    return found;
  })()`);
  expect(problems).toEqual([]);
  await expectNoAxeViolations(page);
}

/** Issue 16: axe-core (WCAG 2.1 A and AA rules) finds no serious or critical violation on the page. */
export async function expectNoAxeViolations(page: Page) {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate<string[]>(`(async () => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', '));
  })()`);
  expect(violations, `${page.url()}: ${violations.join('; ')}`).toEqual([]);
}

/**
 * Issue 16: checks a page (basic rules and axe) and keeps its screenshot, then, for a page a GET
 * opens, the same in the other language, in a context of its own (the same session), so the
 * language chosen there does not follow the test.
 */
export async function checkPage(page: Page, name: string, options: { bothLanguages?: boolean } = {}) {
  await expectAccessible(page);
  const lang = await page.evaluate<string>('document.documentElement.lang');
  await screenshot(page, `${name}-${lang}`);
  if (options.bothLanguages === false) return;
  const other = lang === 'sv' ? 'en' : 'sv';
  const context = await page
    .context()
    .browser()!
    .newContext({ storageState: await page.context().storageState(), viewport: page.viewportSize() });
  try {
    const copy = await context.newPage();
    watchCsp(copy);
    const url = new URL(page.url());
    url.searchParams.set('lang', other);
    url.searchParams.delete('notice');
    await copy.goto(url.toString());
    await expectAccessible(copy);
    await screenshot(copy, `${name}-${other}`);
  } finally {
    await context.close();
  }
}
