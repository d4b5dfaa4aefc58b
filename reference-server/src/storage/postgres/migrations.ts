/**
 * Schema migrations for the PostgreSQL store, the same tables and rules as the SQLite store.
 * Applied at open, in order, each in its own transaction, under a transaction-level advisory
 * lock so N workers starting together migrate exactly once. Append only: a released migration
 * is never edited; a change is a new entry.
 *
 * The unique constraints carry every rule that must hold across workers:
 * - wallets UNIQUE (fiscal_code, hpan): one wallet per card per citizen (422 creditcard.already_exists);
 * - instruments_one_active: a partial unique index, at most one ACTIVE row per hpan (409);
 * - transactions UNIQUE (acquirer_code, id_trx_acquirer, trx_date, operation_type): idempotent ingest;
 * - idempotency_keys PRIMARY KEY (scope, key_hash): one effect per Idempotency-Key;
 * - rate_windows PRIMARY KEY (subject, window_start): one counter per token and window.
 *
 * Secrets at rest: bearer tokens are stored as SHA-256 (lookups hash the presented token);
 * the sub-tokens GET /api/v1/session must return are AES-256-GCM ciphertext. Fiscal codes and
 * IBANs are stored in clear, where the real system kept them (BPD's citizen table).
 */
import type pg from 'pg';
import { FUNCTIONS_V3 } from './functions.ts';
import { TOKENS_GONE_V4 } from './token-cache.ts';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    fiscal_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    email TEXT NOT NULL,
    is_email_validated BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    fiscal_code TEXT NOT NULL,
    spid_level TEXT NOT NULL,
    tokens_sealed TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    session_id TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX tokens_session ON tokens (session_id);
  CREATE INDEX tokens_expiry ON tokens (expires_at);

  CREATE TABLE wallets (
    id_wallet BIGSERIAL PRIMARY KEY,
    fiscal_code TEXT NOT NULL,
    wallet_type TEXT NOT NULL,
    status TEXT NOT NULL,
    hpan TEXT NOT NULL,
    masked_pan TEXT NOT NULL,
    last_four TEXT NOT NULL,
    brand TEXT NOT NULL,
    holder TEXT NOT NULL,
    expire_month TEXT NOT NULL,
    expire_year TEXT NOT NULL,
    abi TEXT,
    product_type TEXT,
    validity_state TEXT,
    favourite BOOLEAN NOT NULL DEFAULT false,
    confirmed BOOLEAN NOT NULL DEFAULT false,
    id_psp BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    CONSTRAINT wallets_one_per_card UNIQUE (fiscal_code, hpan)
  );
  CREATE TABLE verifications (
    id BIGSERIAL PRIMARY KEY,
    id_wallet BIGINT NOT NULL,
    fiscal_code TEXT NOT NULL,
    nonce TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE INDEX verifications_wallet ON verifications (id_wallet);

  CREATE TABLE citizens (
    fiscal_code TEXT PRIMARY KEY,
    enabled BOOLEAN NOT NULL,
    payoff_instr TEXT,
    payoff_instr_type TEXT,
    account_holder_cf TEXT,
    account_holder_name TEXT,
    account_holder_surname TEXT,
    timestamp_tc TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );
  CREATE TABLE instruments (
    hpan TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    activation_date TIMESTAMPTZ NOT NULL,
    deactivation_date TIMESTAMPTZ,
    PRIMARY KEY (hpan, fiscal_code)
  );
  CREATE UNIQUE INDEX instruments_one_active ON instruments (hpan) WHERE status = 'ACTIVE';
  CREATE INDEX instruments_citizen ON instruments (fiscal_code);
  CREATE TABLE instrument_activations (
    id BIGSERIAL PRIMARY KEY,
    hpan TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    activation_day TEXT NOT NULL,
    deactivation_day TEXT
  );
  CREATE INDEX activations_hpan ON instrument_activations (hpan);

  CREATE TABLE transactions (
    id BIGSERIAL PRIMARY KEY,
    acquirer_code TEXT NOT NULL,
    id_trx_acquirer TEXT NOT NULL,
    id_trx_issuer TEXT NOT NULL,
    hpan TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    trx_date TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    cashback_cents BIGINT NOT NULL,
    operation_type TEXT NOT NULL,
    circuit_type TEXT NOT NULL,
    award_period_id INTEGER NOT NULL,
    correlation_id TEXT,
    merchant_id TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    refunded_by BIGINT,
    refund_matched BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT transactions_once UNIQUE (acquirer_code, id_trx_acquirer, trx_date, operation_type)
  );
  CREATE INDEX transactions_citizen ON transactions (fiscal_code, award_period_id, hpan);
  CREATE INDEX transactions_period ON transactions (award_period_id, fiscal_code);

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
  );

  CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    state TEXT NOT NULL,
    status INTEGER,
    body TEXT,
    content_type TEXT,
    locked_until TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key_hash)
  );
  CREATE INDEX idempotency_created ON idempotency_keys (created_at);

  CREATE TABLE rate_windows (
    subject TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (subject, window_start)
  );

  CREATE TABLE db_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  INSERT INTO db_secrets (name, value) VALUES ('token_key', encode(sha256(gen_random_uuid()::text::bytea || clock_timestamp()::text::bytea), 'hex'));
  `,
  // 2. Write-rate windows are one-second counters, not acknowledged data: UNLOGGED, so a hit
  // writes no WAL and its commit waits for no flush. The count stays exact across workers while
  // PostgreSQL runs; a PostgreSQL crash empties the table, which grants each token at most one
  // fresh window. Every table holding what a client was told is stored stays logged.
  `ALTER TABLE rate_windows SET UNLOGGED;`,
  // 3. Operations whose rule needs a row lock before the next read (opt-out against enrolment,
  // one verification outcome, refund matching) as functions: one statement, so one round trip
  // and one transaction, and inside it each statement sees what committed before it started
  // (READ COMMITTED), exactly as the BEGIN ... FOR UPDATE ... COMMIT chains they replace.
  // Injected cascade failures raise SQLSTATE PCF01 (the caller turns it into StorageFailure).
  FUNCTIONS_V3,
  // 4. Tokens that go away (logout, purge, any DELETE, UPDATE or TRUNCATE) are announced on
  // channel picco_tokens when their transaction commits, so every process drops them from its
  // cache of verified tokens (token-cache.ts): the payload is the session ids, or '*' (drop all)
  // when there are more than 32 of them or the statement was not a DELETE.
  TOKENS_GONE_V4,
];

/** Lock id for migrations (any constant; "picco" in ASCII). */
const MIGRATION_LOCK = 0x7069636363;

/** Applies pending migrations; returns the schema version reached. */
export async function migrate(client: pg.PoolClient): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)');
    const r = await client.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations');
    const current = r.rows[0]?.v ?? 0;
    for (let i = current; i < MIGRATIONS.length; i++) {
      await client.query(MIGRATIONS[i] as string);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, now())', [i + 1]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return MIGRATIONS.length;
}
