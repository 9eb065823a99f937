/** Words every context shares, defined once. */

/** The languages a customer or user is served in. */
export const LANGUAGES = ['sv', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** E-mail locales: the customers' languages, and Finnish for settlement providers (M5). */
export const LOCALES = [...LANGUAGES, 'fi'] as const;
export type Locale = (typeof LOCALES)[number];

/** Whom a message goes to, in which language. */
export interface Contact {
  name: string;
  email: string;
  language: Language;
}
