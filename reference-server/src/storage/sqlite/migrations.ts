/**
 * Schema migrations for the SQLite store, applied in order at open inside one transaction and
 * recorded in `schema_migrations`. Append only: a released migration is never edited, a change
 * is a new entry. Times are INTEGER milliseconds since the epoch; calendar days are TEXT
 * `YYYY-MM-DD` so the "active that day" rule compares strings.
 *
 * The unique constraints carry the rules that must hold across processes:
 * - wallets UNIQUE(fiscal_code, hpan): one wallet per card per citizen (422 creditcard.already_exists);
 * - instruments_one_active: at most one ACTIVE row per hpan (409 for another citizen);
 * - transactions UNIQUE(acquirer_code, id_trx_acquirer, trx_date, operation_type): idempotent ingest.
 */
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    fiscal_code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    email TEXT NOT NULL,
    is_email_validated INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    fiscal_code TEXT NOT NULL,
    spid_level TEXT NOT NULL,
    session_token TEXT NOT NULL,
    wallet_token TEXT NOT NULL,
    bpd_token TEXT NOT NULL,
    myportal_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    session_id TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX tokens_session ON tokens(session_id);
  CREATE INDEX tokens_expiry ON tokens(expires_at);

  CREATE TABLE wallets (
    id_wallet INTEGER PRIMARY KEY AUTOINCREMENT,
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
    favourite INTEGER NOT NULL DEFAULT 0,
    confirmed INTEGER NOT NULL DEFAULT 0,
    id_psp INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (fiscal_code, hpan)
  );
  CREATE TABLE verifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    id_wallet INTEGER NOT NULL,
    fiscal_code TEXT NOT NULL,
    nonce TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX verifications_wallet ON verifications(id_wallet);

  CREATE TABLE citizens (
    fiscal_code TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL,
    payoff_instr TEXT,
    payoff_instr_type TEXT,
    account_holder_cf TEXT,
    account_holder_name TEXT,
    account_holder_surname TEXT,
    timestamp_tc INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE instruments (
    hpan TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    status TEXT NOT NULL,
    channel TEXT NOT NULL,
    activation_date INTEGER NOT NULL,
    deactivation_date INTEGER,
    PRIMARY KEY (hpan, fiscal_code)
  );
  CREATE UNIQUE INDEX instruments_one_active ON instruments(hpan) WHERE status = 'ACTIVE';
  CREATE INDEX instruments_citizen ON instruments(fiscal_code);
  CREATE TABLE instrument_activations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hpan TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    activation_day TEXT NOT NULL,
    deactivation_day TEXT
  );
  CREATE INDEX activations_hpan ON instrument_activations(hpan);

  CREATE TABLE transactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    acquirer_code TEXT NOT NULL,
    id_trx_acquirer TEXT NOT NULL,
    id_trx_issuer TEXT NOT NULL,
    hpan TEXT NOT NULL,
    fiscal_code TEXT NOT NULL,
    trx_date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    cashback_cents INTEGER NOT NULL,
    operation_type TEXT NOT NULL,
    circuit_type TEXT NOT NULL,
    award_period_id INTEGER NOT NULL,
    correlation_id TEXT,
    merchant_id TEXT NOT NULL,
    terminal_id TEXT NOT NULL,
    refunded_by INTEGER,
    refund_matched INTEGER NOT NULL DEFAULT 0,
    UNIQUE (acquirer_code, id_trx_acquirer, trx_date, operation_type)
  );
  CREATE INDEX transactions_citizen ON transactions(fiscal_code, award_period_id, hpan);
  CREATE INDEX transactions_period ON transactions(award_period_id, fiscal_code);

  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `,
  // 2: secrets at rest (see postgres/sealed-tokens.ts): token rows keyed by SHA-256 of the token,
  // session sub-tokens sealed with a per-database key (or PICCO_DB_SECRET). Existing rows are
  // sessions of a previous run: they are dropped rather than migrated.
  `
  DELETE FROM tokens;
  DELETE FROM sessions;
  CREATE TABLE db_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);
  INSERT INTO db_secrets (name, value) VALUES ('token_key', lower(hex(randomblob(32))));
  `,
];

/** Applies pending migrations; returns the schema version reached. */
export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  const apply = db.transaction(() => {
    for (let i = current; i < MIGRATIONS.length; i++) {
      db.exec(MIGRATIONS[i] as string);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, Date.now());
    }
  });
  apply.immediate();
  return MIGRATIONS.length;
}
