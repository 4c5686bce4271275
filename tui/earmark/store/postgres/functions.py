"""The server-side functions: audit appends, claims, leases, and who may act as whom.

They are SECURITY DEFINER (run as the owner) where an annotator must change rows they may
not see or write directly: a claim takes a slot no one holds, a submit writes the slot and
its revision, an audit append extends the chain. Each takes its identity from
`session_user`, never from an argument.
"""

FUNCTIONS = r"""
-- Reviewers and leads (leads are members of the reviewer group).
CREATE FUNCTION is_staff() RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT pg_has_role(session_user, 'earmark_reviewer', 'MEMBER') $$;
CREATE FUNCTION is_lead() RETURNS boolean LANGUAGE sql STABLE
AS $$ SELECT pg_has_role(session_user, 'earmark_lead', 'MEMBER') $$;

-- Python's json.dumps(s, ensure_ascii=True) for one string, so the chain verifies in Python.
CREATE FUNCTION json_ascii(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE out text := '"'; ch text; c int; hi int; lo int;
BEGIN
  FOREACH ch IN ARRAY regexp_split_to_array(s, '') LOOP
    c := ascii(ch);
    IF ch = '"' THEN out := out || '\"';
    ELSIF ch = '\' THEN out := out || '\\';
    ELSIF c = 10 THEN out := out || '\n';
    ELSIF c = 13 THEN out := out || '\r';
    ELSIF c = 9 THEN out := out || '\t';
    ELSIF c = 8 THEN out := out || '\b';
    ELSIF c = 12 THEN out := out || '\f';
    ELSIF c >= 32 AND c < 127 THEN out := out || ch;
    ELSIF c > 65535 THEN
      hi := 55296 + ((c - 65536) >> 10); lo := 56320 + ((c - 65536) & 1023);
      out := out || '\u' || lpad(to_hex(hi), 4, '0') || '\u' || lpad(to_hex(lo), 4, '0');
    ELSE out := out || '\u' || lpad(to_hex(c), 4, '0');
    END IF;
  END LOOP;
  RETURN out || '"';
END $$;

-- The only way into the audit table. The actor is whoever PostgreSQL authenticated; the
-- table lock serialises appends so two sessions can never fork the chain.
CREATE FUNCTION audit_append(p_action text, p_clip text, p_detail text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE prev_seq bigint; prev text; v_at text; v_seq bigint; body text;
BEGIN
  IF NOT pg_has_role(session_user, 'earmark_annotator', 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: % is not an earmark user', session_user
      USING ERRCODE = '42501';
  END IF;
  IF p_detail IS NULL OR p_detail::json IS NULL OR left(p_detail, 1) <> '{' THEN
    RAISE EXCEPTION 'audit detail must be a JSON object';
  END IF;
  LOCK TABLE audit IN EXCLUSIVE MODE;
  SELECT seq, hash INTO prev_seq, prev FROM audit ORDER BY seq DESC LIMIT 1;
  v_seq := coalesce(prev_seq, 0) + 1;
  prev := coalesce(prev, repeat('0', 64));
  v_at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
  body := '{"action":' || json_ascii(p_action) || ',"actor":' || json_ascii(session_user)
    || ',"at":' || json_ascii(v_at) || ',"clip":' || coalesce(json_ascii(p_clip), 'null')
    || ',"detail":' || json_ascii(p_detail) || ',"prev_hash":' || json_ascii(prev)
    || ',"seq":' || v_seq || '}';
  INSERT INTO audit(seq, at, actor, action, clip, detail, prev_hash, hash)
  VALUES (v_seq, v_at, session_user, p_action, p_clip, p_detail, prev,
          encode(sha256(convert_to(body, 'UTF8')), 'hex'));
  RETURN v_seq;
END $$;

-- Claim one slot for the session user: their own live lease first, else the best open or
-- expired slot of a clip they have no slot on, skipping rows other sessions hold locked.
CREATE FUNCTION claim(p_now float8, p_lease float8, p_after bigint, p_avoid bigint[])
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE got bigint;
BEGIN
  IF NOT pg_has_role(session_user, 'earmark_annotator', 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: % is not an earmark user', session_user
      USING ERRCODE = '42501';
  END IF;
  SELECT s.clip_id INTO got FROM slots s
   WHERE s.annotator = session_user AND s.state = 'leased' AND s.lease_until >= p_now
     AND s.clip_id <> p_after AND NOT s.clip_id = ANY(p_avoid)
   ORDER BY (s.clip_id < p_after), s.clip_id LIMIT 1;
  IF got IS NOT NULL THEN
    UPDATE slots SET lease_until = p_now + p_lease
     WHERE clip_id = got AND annotator = session_user;
    RETURN got;
  END IF;
  UPDATE slots SET state = 'leased', annotator = session_user, lease_until = p_now + p_lease,
         claimed_at = p_now
   WHERE id = (
     SELECT s.id FROM slots s
      WHERE s.state IN ('open', 'leased') AND s.lease_until < p_now
        AND NOT s.clip_id = ANY(p_avoid)
        AND NOT EXISTS (SELECT 1 FROM clips c
                         WHERE c.id = s.clip_id AND c.unplayable_reason IS NOT NULL)
        AND NOT EXISTS (SELECT 1 FROM slots m
                         WHERE m.clip_id = s.clip_id AND m.annotator = session_user)
      ORDER BY s.prio DESC, s.id
      FOR UPDATE SKIP LOCKED LIMIT 1)
  RETURNING clip_id INTO got;
  RETURN got;
END $$;

-- Start (or keep) work on one named clip: renew the session user's lease, or take a free
-- slot of it. NULL when every slot of the clip is someone else's.
CREATE FUNCTION claim_clip(p_clip bigint, p_now float8, p_lease float8) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE got bigint;
BEGIN
  IF NOT pg_has_role(session_user, 'earmark_annotator', 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: % is not an earmark user', session_user
      USING ERRCODE = '42501';
  END IF;
  UPDATE slots SET lease_until = p_now + p_lease
   WHERE clip_id = p_clip AND annotator = session_user AND state = 'leased'
  RETURNING id INTO got;
  IF got IS NOT NULL THEN RETURN true; END IF;
  IF EXISTS (SELECT 1 FROM slots WHERE clip_id = p_clip AND annotator = session_user) THEN
    RETURN false;
  END IF;
  UPDATE slots SET state = 'leased', annotator = session_user, lease_until = p_now + p_lease,
         claimed_at = p_now
   WHERE id = (SELECT id FROM slots WHERE clip_id = p_clip AND state IN ('open', 'leased')
                 AND lease_until < p_now ORDER BY n FOR UPDATE SKIP LOCKED LIMIT 1)
  RETURNING id INTO got;
  RETURN got IS NOT NULL;
END $$;

-- Record the session user's transcript (or skip) on the slot they hold. Returns false when
-- they no longer hold it (the lease ran out and someone else took the slot).
CREATE FUNCTION finish_slot(p_clip bigint, p_state text, p_text text, p_reason text,
                            p_seconds float8, p_now float8) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE sid bigint; was text;
BEGIN
  IF NOT pg_has_role(session_user, 'earmark_annotator', 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: % is not an earmark user', session_user
      USING ERRCODE = '42501';
  END IF;
  IF p_state NOT IN ('done', 'skipped') THEN RAISE EXCEPTION 'bad state %', p_state; END IF;
  SELECT id, state INTO sid, was FROM slots
   WHERE clip_id = p_clip AND annotator = session_user FOR UPDATE;
  IF sid IS NULL THEN RETURN false; END IF;
  UPDATE slots SET state = p_state, text = p_text, skip_reason = p_reason,
         seconds = seconds + p_seconds, submitted_at = p_now, lease_until = 0
   WHERE id = sid;
  IF was NOT IN ('done', 'skipped') THEN
    UPDATE slots SET prio = prio + 1 WHERE clip_id = p_clip AND id <> sid
       AND state IN ('open', 'leased');
  END IF;
  INSERT INTO revisions(clip_id, status, text, skip_reason, annotator, seconds, at)
  VALUES (p_clip, p_state, p_text, p_reason, session_user, p_seconds, p_now);
  RETURN true;
END $$;

-- Keep a lease alive while its clip is open; false when the slot is no longer the user's.
CREATE FUNCTION renew_lease(p_clip bigint, p_now float8, p_lease float8) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
  WITH r AS (UPDATE slots SET lease_until = p_now + p_lease
              WHERE clip_id = p_clip AND annotator = session_user AND state = 'leased'
             RETURNING 1)
  SELECT EXISTS (SELECT 1 FROM r);
$$;

-- Give up a lease (the annotator moved on without finishing): the slot is open again.
CREATE FUNCTION release_slot(p_clip bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
  UPDATE slots SET state = 'open', annotator = NULL, lease_until = 0, claimed_at = NULL
   WHERE clip_id = p_clip AND annotator = session_user AND state = 'leased';
$$;

-- Escalation and flag steps: the acting column must name the authenticated role, so the
-- second reviewer of a two-person decision is a different login, not a different --user.
CREATE FUNCTION check_actor() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE col text; v_new text; v_old text;
BEGIN
  FOREACH col IN ARRAY TG_ARGV LOOP
    EXECUTE format('SELECT ($1).%I::text, ($2).%I::text', col, col)
      INTO v_new, v_old USING NEW, OLD;
    IF v_new IS NOT NULL AND v_new IS DISTINCT FROM v_old AND v_new <> session_user THEN
      RAISE EXCEPTION 'permission denied: % may not act as %', session_user, v_new
        USING ERRCODE = '42501';
    END IF;
  END LOOP;
  RETURN NEW;
END $$;
CREATE TRIGGER escalations_actor BEFORE UPDATE ON escalations FOR EACH ROW
  EXECUTE FUNCTION check_actor('acked_by', 'proposed_by', 'confirmed_by');
CREATE TRIGGER flags_actor BEFORE UPDATE ON flags FOR EACH ROW
  EXECUTE FUNCTION check_actor('downgrade_requested_by', 'downgraded_by');
"""
