import type { Knex } from 'knex';
import * as foundation from './001_foundation';
import * as cases from './003_cases';

export const migrations: Record<string, Knex.Migration> = {
  '001_foundation': foundation,
  '003_cases': cases,
};
