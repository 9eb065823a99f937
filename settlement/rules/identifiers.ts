/** Check digits of the identifiers a provider gives us, so a typo is caught at import, not at the bank. */

/**
 * Finnish business id (Y-tunnus) "1234567-8": the seven digits weighted 7, 9, 10, 5, 8, 4, 2;
 * remainder r = sum mod 11; the check digit is 0 when r = 0, 11 − r otherwise, and no id
 * is issued with r = 1.
 */
export function isBusinessId(id: string): boolean {
  const m = /^(\d{7})-(\d)$/.exec(id);
  if (!m) return false;
  const sum = [7, 9, 10, 5, 8, 4, 2].reduce((s, w, i) => s + w * Number(m[1]![i]), 0);
  const r = sum % 11;
  return r !== 1 && Number(m[2]) === (r === 0 ? 0 : 11 - r);
}

/** The IBAN as stored: no spaces, capitals ("fi21 1234…" → "FI211234…"). */
export const normaliseIban = (text: string): string => text.replace(/\s+/g, '').toUpperCase();

/**
 * ISO 13616 / ISO 7064 mod 97-10: move the country code and check digits to the end, turn
 * letters into 10–35, and the number mod 97 must be 1. Spaces and lower case are accepted.
 */
export function isIban(text: string): boolean {
  const iban = normaliseIban(text);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const digits = (iban.slice(4) + iban.slice(0, 4)).replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest === 1;
}

/** The basic shape only (something@domain.tld); the statement e-mail proves the rest. */
export const isEmail = (text: string): boolean => /^[^@\s]+@[^@\s]+\.[^@\s.]+$/.test(text);
