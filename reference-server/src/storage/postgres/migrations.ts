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
  `
  CREATE FUNCTION picco_complete_verification(p_id BIGINT, p_nonce TEXT, p_outcome TEXT, p_now TIMESTAMPTZ) RETURNS JSONB
  LANGUAGE plpgsql AS $$
  DECLARE v verifications; w wallets;
  BEGIN
    SELECT * INTO v FROM verifications WHERE id = p_id FOR UPDATE;
    IF NOT FOUND OR v.nonce <> p_nonce THEN RETURN jsonb_build_object('kind', 'not_found'); END IF;
    IF v.status <> 'pending' THEN RETURN jsonb_build_object('kind', 'already_completed', 'verification', to_jsonb(v)); END IF;
    SELECT * INTO w FROM wallets WHERE id_wallet = v.id_wallet AND fiscal_code = v.fiscal_code FOR UPDATE;
    IF NOT FOUND THEN RETURN jsonb_build_object('kind', 'not_found'); END IF;
    UPDATE verifications SET status = p_outcome, updated_at = p_now WHERE id = p_id RETURNING * INTO v;
    IF p_outcome = 'authorized' THEN
      UPDATE wallets SET status = 'verified', updated_at = p_now WHERE id_wallet = w.id_wallet RETURNING * INTO w;
    END IF;
    RETURN jsonb_build_object('kind', 'completed', 'verification', to_jsonb(v), 'wallet', to_jsonb(w));
  END $$;

  CREATE FUNCTION picco_delete_citizen(p_cf TEXT, p_now TIMESTAMPTZ, p_day TEXT, p_fail TEXT) RETURNS INTEGER
  LANGUAGE plpgsql AS $$
  DECLARE c citizens; n INTEGER;
  BEGIN
    SELECT * INTO c FROM citizens WHERE fiscal_code = p_cf FOR UPDATE;
    IF NOT FOUND OR NOT c.enabled THEN RETURN -1; END IF;
    UPDATE instruments SET status = 'INACTIVE', deactivation_date = p_now WHERE fiscal_code = p_cf AND status = 'ACTIVE';
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE instrument_activations SET deactivation_day = p_day WHERE fiscal_code = p_cf AND deactivation_day IS NULL;
    IF p_fail = 'instruments' THEN RAISE EXCEPTION 'injected failure at cascade step ''instruments''' USING ERRCODE = 'PCF01'; END IF;
    DELETE FROM transactions WHERE fiscal_code = p_cf;
    IF p_fail = 'transactions' THEN RAISE EXCEPTION 'injected failure at cascade step ''transactions''' USING ERRCODE = 'PCF01'; END IF;
    UPDATE citizens SET enabled = false, payoff_instr = NULL, payoff_instr_type = NULL, account_holder_cf = NULL,
      account_holder_name = NULL, account_holder_surname = NULL, updated_at = p_now WHERE fiscal_code = p_cf;
    IF p_fail = 'citizen' THEN RAISE EXCEPTION 'injected failure at cascade step ''citizen''' USING ERRCODE = 'PCF01'; END IF;
    RETURN n;
  END $$;

  CREATE FUNCTION picco_enable_instrument(p_cf TEXT, p_hpan TEXT, p_channel TEXT, p_now TIMESTAMPTZ, p_day TEXT) RETURNS JSONB
  LANGUAGE plpgsql AS $$
  DECLARE c citizens; a instruments; r instruments;
  BEGIN
    -- FOR SHARE: an opt-out (FOR UPDATE on the citizen) cannot interleave with this enrolment.
    SELECT * INTO c FROM citizens WHERE fiscal_code = p_cf FOR SHARE;
    IF NOT FOUND OR NOT c.enabled THEN RETURN jsonb_build_object('kind', 'citizen_not_enabled'); END IF;
    SELECT * INTO a FROM instruments WHERE hpan = p_hpan AND status = 'ACTIVE';
    IF FOUND THEN
      IF a.fiscal_code = p_cf THEN RETURN jsonb_build_object('kind', 'unchanged', 'instrument', to_jsonb(a)); END IF;
      RETURN jsonb_build_object('kind', 'conflict');
    END IF;
    INSERT INTO instruments (hpan, fiscal_code, status, channel, activation_date, deactivation_date)
    VALUES (p_hpan, p_cf, 'ACTIVE', p_channel, p_now, NULL)
    ON CONFLICT (hpan, fiscal_code) DO UPDATE SET status = 'ACTIVE', channel = excluded.channel,
      activation_date = excluded.activation_date, deactivation_date = NULL
    WHERE instruments.status <> 'ACTIVE' RETURNING * INTO r;
    IF NOT FOUND THEN
      -- The same citizen enabled it concurrently: already active for them.
      SELECT * INTO r FROM instruments WHERE hpan = p_hpan AND fiscal_code = p_cf;
      RETURN jsonb_build_object('kind', 'unchanged', 'instrument', to_jsonb(r));
    END IF;
    INSERT INTO instrument_activations (hpan, fiscal_code, activation_day) VALUES (p_hpan, p_cf, p_day);
    RETURN jsonb_build_object('kind', 'enabled', 'instrument', to_jsonb(r));
  EXCEPTION WHEN unique_violation THEN
    -- Another worker activated it between our read and write: the unique index decided.
    RETURN jsonb_build_object('kind', 'conflict');
  END $$;

  CREATE FUNCTION picco_disable_instrument(p_cf TEXT, p_hpan TEXT, p_now TIMESTAMPTZ, p_day TEXT) RETURNS JSONB
  LANGUAGE plpgsql AS $$
  DECLARE a instruments; found_active BOOLEAN;
  BEGIN
    SELECT * INTO a FROM instruments WHERE hpan = p_hpan AND status = 'ACTIVE' FOR UPDATE;
    found_active := FOUND;
    IF found_active AND a.fiscal_code <> p_cf THEN RETURN jsonb_build_object('kind', 'conflict'); END IF;
    IF NOT found_active THEN
      SELECT * INTO a FROM instruments WHERE hpan = p_hpan AND fiscal_code = p_cf;
      IF NOT FOUND THEN RETURN jsonb_build_object('kind', 'not_found'); END IF;
      RETURN jsonb_build_object('kind', 'disabled', 'instrument', to_jsonb(a));
    END IF;
    UPDATE instruments SET status = 'INACTIVE', deactivation_date = p_now WHERE hpan = p_hpan AND fiscal_code = p_cf RETURNING * INTO a;
    UPDATE instrument_activations SET deactivation_day = p_day WHERE hpan = p_hpan AND fiscal_code = p_cf AND deactivation_day IS NULL;
    RETURN jsonb_build_object('kind', 'disabled', 'instrument', to_jsonb(a));
  END $$;

  CREATE FUNCTION picco_ingest(p_trxs JSONB) RETURNS JSONB
  LANGUAGE plpgsql AS $$
  DECLARE t JSONB; v_owner TEXT; v_id BIGINT; v_purchase BIGINT; v_matched BOOLEAN; v_out JSONB := '[]'::jsonb;
  BEGIN
    FOR t IN SELECT e FROM jsonb_array_elements(p_trxs) WITH ORDINALITY AS x(e, i) ORDER BY i LOOP
      SELECT fiscal_code INTO v_owner FROM instrument_activations WHERE hpan = t->>'hpan' AND activation_day < t->>'trxDate'
        AND (deactivation_day IS NULL OR t->>'trxDate' <= deactivation_day) ORDER BY id DESC LIMIT 1;
      IF NOT FOUND THEN v_out := v_out || jsonb_build_array(jsonb_build_object('kind', 'not_active')); CONTINUE; END IF;
      INSERT INTO transactions (acquirer_code, id_trx_acquirer, id_trx_issuer, hpan, fiscal_code, trx_date, amount_cents,
        cashback_cents, operation_type, circuit_type, award_period_id, correlation_id, merchant_id, terminal_id)
      VALUES (t->>'acquirerCode', t->>'idTrxAcquirer', t->>'idTrxIssuer', t->>'hpan', v_owner, t->>'trxDate', (t->>'amountCents')::BIGINT,
        (t->>'cashbackCents')::BIGINT, t->>'operationType', t->>'circuitType', (t->>'awardPeriodId')::INTEGER, t->>'correlationId',
        t->>'merchantId', t->>'terminalId')
      ON CONFLICT (acquirer_code, id_trx_acquirer, trx_date, operation_type) DO NOTHING RETURNING id INTO v_id;
      IF NOT FOUND THEN v_out := v_out || jsonb_build_array(jsonb_build_object('kind', 'duplicate')); CONTINUE; END IF;
      v_matched := false;
      IF t->>'operationType' = '01' THEN
        IF t->>'correlationId' IS NOT NULL THEN
          SELECT id INTO v_purchase FROM transactions WHERE hpan = t->>'hpan' AND fiscal_code = v_owner
            AND correlation_id = t->>'correlationId' AND operation_type = '00' AND refunded_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE;
        ELSE
          SELECT id INTO v_purchase FROM transactions WHERE hpan = t->>'hpan' AND fiscal_code = v_owner
            AND amount_cents = (t->>'amountCents')::BIGINT AND merchant_id = t->>'merchantId' AND terminal_id = t->>'terminalId'
            AND acquirer_code = t->>'acquirerCode' AND operation_type = '00' AND refunded_by IS NULL ORDER BY id LIMIT 1 FOR UPDATE;
        END IF;
        IF FOUND THEN
          UPDATE transactions SET refunded_by = v_id WHERE id = v_purchase;
          UPDATE transactions SET refund_matched = true WHERE id = v_id;
          v_matched := true;
        END IF;
      END IF;
      v_out := v_out || jsonb_build_array(jsonb_build_object('kind', 'accepted', 'fiscalCode', v_owner, 'refundMatched', v_matched));
    END LOOP;
    RETURN v_out;
  END $$;
  `,
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
