import { z } from 'zod';
import { calendarDays, MAX_CALENDAR_RANGE_DAYS } from '../../domain/calendar';
import { ApiError } from './errors';
import { defineRoute } from './route';
import { isoDate } from './schemas';

/** W1, W2: the working-day calendar for customers' date pickers (working days, express window). */
export function calendarRoutes() {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v1/calendar',
      tag: 'calendar',
      summary: `Working days and holidays from one date to another (inclusive, at most ${MAX_CALENDAR_RANGE_DAYS} days)`,
      auth: 'public',
      query: z.object({ from: isoDate, to: isoDate }),
      handler: async ({ query }) => {
        try {
          return { body: { days: calendarDays(query.from, query.to) } };
        } catch (err) {
          if (err instanceof RangeError) throw new ApiError(400, 'invalid_range', err.message);
          throw err;
        }
      },
    }),
  ];
}
