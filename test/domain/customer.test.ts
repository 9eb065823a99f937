import { describe, expect, it } from 'vitest';
import { isAdult, luhnCheckDigit, organisationNumber } from '../../domain/customer';

describe('A2: organisation numbers', () => {
  it.each([
    ['556036-0793', '556036-0793'],
    ['5560360793', '556036-0793'],
    ['212000-0142', '212000-0142'],
    ['202100-5489', '202100-5489'],
  ])('takes %s as %s', (input, value) => {
    expect(organisationNumber(input)).toEqual({ ok: true, value });
  });

  it.each([['556036-0794'], ['556036-0790'], ['212000-0141'], ['556000-0002']])(
    'refuses %s: its check digit is wrong',
    (input) => {
      expect(organisationNumber(input)).toEqual({ ok: false, problem: 'check_digit' });
    },
  );

  it.each([['55603-0793'], ['556036-07931'], ['556036 0793'], ['abcdef-ghij'], ['']])(
    'refuses %s: not ten digits',
    (input) => {
      expect(organisationNumber(input)).toEqual({ ok: false, problem: 'format' });
    },
  );

  it('computes the Luhn check digit from the right', () => {
    expect(luhnCheckDigit('556036079')).toBe(3);
    expect(luhnCheckDigit('7992739871')).toBe(3);
    expect(luhnCheckDigit('000000000')).toBe(0);
  });
});

describe('L5, A2: at least 18', () => {
  it('turns 18 on the birthday, and a 29 February birthday on 1 March', () => {
    expect(isAdult('2008-11-24', '2026-11-24')).toBe(true);
    expect(isAdult('2008-11-25', '2026-11-24')).toBe(false);
    expect(isAdult('2008-02-29', '2026-02-28')).toBe(false);
    expect(isAdult('2008-02-29', '2026-03-01')).toBe(true);
    expect(isAdult('1900-01-01', '2026-01-01')).toBe(true);
  });
});
