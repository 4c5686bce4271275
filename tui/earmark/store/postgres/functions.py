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

-- The only way into the audit log. The actor is whoever PostgreSQL authenticated and the
-- time is the server's. The entry is queued (durable with the caller's transaction) and
-- linked into the chain by audit_link, at once when no other session is linking.
CREATE FUNCTION audit_append(p_action text, p_clip text, p_detail text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE v_id bigint;
BEGIN
  IF NOT pg_has_role(session_user, 'earmark_annotator', 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: % is not an earmark user', session_user
      USING ERRCODE = '42501';
  END IF;
  IF p_detail IS NULL OR p_detail::json IS NULL OR left(p_detail, 1) <> '{' THEN
    RAISE EXCEPTION 'audit detail must be a JSON object';
  END IF;
  INSERT INTO audit_queue(at, actor, action, clip, detail)
  VALUES (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
          session_user, p_action, p_clip, p_detail)
  RETURNING id INTO v_id;
  PERFORM audit_link(false);
  RETURN v_id;
END $$;

-- Extend the hash chain with every queued entry this session can see, in queue order, under
-- a lock held to commit, so two sessions can never fork it. Without `p_wait` a session that
-- finds the lock taken leaves its entry for the session holding it (or the next one).
CREATE FUNCTION audit_link(p_wait boolean) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE prev_seq bigint; prev text; body text; r record; n integer := 0;
BEGIN
  IF p_wait THEN
    PERFORM pg_advisory_xact_lock(hashtext('earmark.audit'));
  ELSIF NOT pg_try_advisory_xact_lock(hashtext('earmark.audit')) THEN
    RETURN 0;
  END IF;
  SELECT seq, hash INTO prev_seq, prev FROM audit ORDER BY seq DESC LIMIT 1;
  prev_seq := coalesce(prev_seq, 0);
  prev := coalesce(prev, repeat('0', 64));
  FOR r IN SELECT * FROM audit_queue ORDER BY id LOOP
    prev_seq := prev_seq + 1;
    body := '{"action":' || json_ascii(r.action) || ',"actor":' || json_ascii(r.actor)
      || ',"at":' || json_ascii(r.at) || ',"clip":' || coalesce(json_ascii(r.clip), 'null')
      || ',"detail":' || json_ascii(r.detail) || ',"prev_hash":' || json_ascii(prev)
      || ',"seq":' || prev_seq || '}';
    INSERT INTO audit(seq, at, actor, action, clip, detail, prev_hash, hash)
    VALUES (prev_seq, r.at, r.actor, r.action, r.clip, r.detail, prev,
            encode(sha256(convert_to(body, 'UTF8')), 'hex'))
    RETURNING hash INTO prev;
    DELETE FROM audit_queue WHERE id = r.id;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- Clips the session user is not to be given: flagged by others in a category they opted out
-- of, or, once their exposure today reached the lead's hard limit, flagged at all.
CREATE FUNCTION routed_away(p_day_start float8) RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE hard float8; heard float8 := 0;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM flags WHERE state = 'active'
                  AND kind IN ('distressing', 'escalation')) THEN
    RETURN '{}';
  END IF;
  SELECT value::float8 INTO hard FROM meta WHERE key = 'wellbeing.hard_minutes';
  IF hard IS NOT NULL THEN
    SELECT coalesce(sum((p."end" - p.start) / p.speed), 0) INTO heard FROM plays p
     WHERE p.who = session_user AND p.at >= p_day_start AND p.clip_id IN (
       SELECT clip_id FROM flags WHERE kind IN ('distressing', 'escalation')
          AND state = 'active');
  END IF;
  RETURN ARRAY(
    SELECT DISTINCT f.clip_id FROM flags f
     WHERE f.state = 'active' AND f.raised_by <> session_user
       AND f.kind IN ('distressing', 'escalation')
       AND ((hard IS NOT NULL AND heard >= hard * 60)
            OR f.category IN (SELECT category FROM opt_outs WHERE who = session_user)
            OR (f.kind = 'distressing' AND EXISTS (SELECT 1 FROM opt_outs
                  WHERE who = session_user AND category = 'distressing'))));
END $$;

-- Claim one slot for the session user: their own live lease first, else the best open or
-- expired slot of a clip they have no slot on, skipping rows other sessions hold locked.
-- A lease is soft state (lost in a crash, the slot is simply open again), so its commit
-- does not wait for the disk: claims from many sessions never queue behind each other.
CREATE FUNCTION claim(p_now float8, p_lease float8, p_after bigint, p_avoid bigint[],
                      p_day_start float8)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE got bigint; avoid bigint[];
BEGIN
  IF NOT pg_has_role(session_user, 'earmark_annotator', 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: % is not an earmark user', session_user
      USING ERRCODE = '42501';
  END IF;
  PERFORM set_config('synchronous_commit', 'off', true);
  avoid := p_avoid || routed_away(p_day_start);
  -- a lease that ran out but that nobody else took is still this user's to finish
  SELECT s.clip_id INTO got FROM slots s
   WHERE s.annotator = session_user AND s.state = 'leased'
     AND s.clip_id <> p_after AND NOT s.clip_id = ANY(avoid)
   ORDER BY (s.clip_id < p_after), s.clip_id LIMIT 1;
  IF got IS NOT NULL THEN
    UPDATE slots SET lease_until = p_now + p_lease
     WHERE clip_id = got AND annotator = session_user;
    RETURN got;
  END IF;
  FOR attempt IN 1..3 LOOP
    BEGIN
      UPDATE slots SET state = 'leased', annotator = session_user,
             lease_until = p_now + p_lease, claimed_at = p_now
       WHERE id = (
         SELECT s.id FROM slots s
          WHERE s.state IN ('open', 'leased') AND s.lease_until < p_now
            AND NOT s.clip_id = ANY(avoid)
            AND NOT EXISTS (SELECT 1 FROM clips c
                             WHERE c.id = s.clip_id AND c.unplayable_reason IS NOT NULL)
            AND NOT EXISTS (SELECT 1 FROM slots m
                             WHERE m.clip_id = s.clip_id AND m.annotator = session_user)
          ORDER BY s.prio DESC, s.id
          FOR UPDATE SKIP LOCKED LIMIT 1)
      RETURNING clip_id INTO got;
      RETURN got;
    EXCEPTION WHEN unique_violation THEN
      got := NULL;  -- this user's other session took a slot of the same clip: try again
    END;
  END LOOP;
  RETURN NULL;
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
  -- every slot of the clip, in one order: two submits of one clip never deadlock
  PERFORM 1 FROM slots WHERE clip_id = p_clip ORDER BY id FOR UPDATE;
  SELECT id, state INTO sid, was FROM slots
   WHERE clip_id = p_clip AND annotator = session_user;
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

-- A submit or skip in one statement: the slot, its revision, the user's draft gone and the
-- audit line, atomically. The client sends the audit detail for a first submit and for a
-- resubmit (canonical JSON both); the server knows which this is.
CREATE FUNCTION submit_slot(p_clip bigint, p_state text, p_text text, p_reason text,
                            p_seconds float8, p_now float8, p_detail text,
                            p_detail_again text, p_wer_edits int, p_wer_words int)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE was text;
BEGIN
  SELECT state INTO was FROM slots WHERE clip_id = p_clip AND annotator = session_user;
  IF NOT finish_slot(p_clip, p_state, p_text, p_reason, p_seconds, p_now) THEN
    RETURN false;
  END IF;
  UPDATE slots SET wer_edits = p_wer_edits, wer_words = p_wer_words
   WHERE clip_id = p_clip AND annotator = session_user;
  DELETE FROM drafts WHERE clip_id = p_clip AND annotator = session_user;
  PERFORM audit_append(CASE p_state WHEN 'done' THEN 'submit' ELSE 'skip' END,
                       (SELECT name FROM clips WHERE id = p_clip),
                       CASE WHEN was IN ('done', 'skipped') THEN p_detail_again
                            ELSE p_detail END);
  RETURN true;
END $$;

-- Keep a lease alive while its clip is open; false when the slot is no longer the user's.
CREATE FUNCTION renew_lease(p_clip bigint, p_now float8, p_lease float8) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
  SELECT set_config('synchronous_commit', 'off', true);
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

# An annotator's own leases, found through an index of leased slots alone (not every slot
# they ever finished, which made each claim cost more the longer someone worked); and the
# planner told the queue's size right after an import, so the first claims walk the
# claimable slots in order and stop at the first free one, instead of a plan made for an
# empty table that checked every open slot and sorted them all (115 ms at 10,000 slots);
# and the audit chain's JSON strings escaped by PostgreSQL itself where it can.
QUEUE_PLANS = r"""
CREATE INDEX slots_leased_by_annotator ON slots(annotator, clip_id) WHERE state = 'leased';

CREATE FUNCTION refresh_queue_stats() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN
  ANALYZE clips;
  ANALYZE slots;
END $$;
REVOKE ALL ON FUNCTION refresh_queue_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION refresh_queue_stats() TO earmark_lead;

-- The audit chain's JSON strings: printable ASCII (names, actions, timestamps, hashes, most
-- details) is escaped by PostgreSQL's own to_json exactly as Python's json.dumps does, so
-- only other text takes the character-by-character path (it cost 0.07 ms a string).
CREATE OR REPLACE FUNCTION json_ascii(s text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE out text := '"'; ch text; c int; hi int; lo int;
BEGIN
  IF s ~ '^[ -~]*$' THEN  -- printable ASCII (nearly every entry): escaped alike by both
    RETURN to_json(s)::text;
  END IF;
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
"""
