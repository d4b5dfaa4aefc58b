/**
 * A fresh PostgreSQL database per test file on the local server (127.0.0.1:5432, user
 * postgres, trust), dropped afterwards. PGHOST/PGPORT/PGUSER override the defaults.
 *
 * @example
 * const db = await createTestDatabase(); ...; await db.drop();
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

const host = process.env['PGHOST'] ?? '127.0.0.1';
const port = process.env['PGPORT'] ?? '5432';
const user = process.env['PGUSER'] ?? 'postgres';
export const adminUrl = `postgres://${user}@${host}:${port}/postgres`;

export async function createTestDatabase(prefix = 'picco_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: `postgres://${user}@${host}:${port}/${name}`,
    async drop() {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}
