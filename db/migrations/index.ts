import type { Knex } from 'knex';
import * as foundation from './001_foundation';

export const migrations: Record<string, Knex.Migration> = {
  '001_foundation': foundation,
};
