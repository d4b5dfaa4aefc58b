/**
 * Migration 3 of the PostgreSQL store: the operations whose rule needs a row lock before the next
 * read, as PL/pgSQL functions. A call is one statement, so one round trip and one transaction,
 * and inside it each statement sees what committed before it started (READ COMMITTED), as the
 * BEGIN ... SELECT ... FOR UPDATE ... COMMIT chains they replaced did. A single data-modifying
 * CTE would not do here: all its parts share one snapshot, so an opt-out waiting on a citizen's
 * lock would miss the instrument the enrolment it waited for had just inserted.
 * Released text: never edited (migrations are append-only); a change is a new migration.
 */
export const FUNCTIONS_V3 = `
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
  `;
