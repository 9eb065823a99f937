import { z } from 'zod';
import { parseIsoDate } from '../../domain/calendar';

const realDate = (date: string) => {
  try {
    parseIsoDate(date);
    return true;
  } catch {
    return false;
  }
};

/**
 * A business date `YYYY-MM-DD` that exists (no 2027-02-30) within the calendar's years
 * 1900–2200 (W2): the one date schema of every route, so an impossible date is a 400, never a 500.
 */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(realDate, 'is not a real date between 1900-01-01 and 2200-12-31');
