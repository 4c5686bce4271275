"""The PostgreSQL side of gold clips and final transcripts: tables, grants, functions.

Annotators have no privilege on `gold` or `gold_answers` at all: a gold clip reaches them
only through `gold_next`, which gives each of them one unanswered gold clip at a time, and
is answered through `gold_finish`, which scores it here, on the server (word edits after the
same normalisation as earmark/wer.py, flag kinds compared), since their own connection may
not read the reference. Reviewers and leads read every answer; a final transcript is set by
a reviewer who did not transcribe the clip (row-level security checks it).
"""

GOLD_SQL = r"""
CREATE TABLE gold(
    clip_id bigint PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
    text text NOT NULL,
    flags text NOT NULL DEFAULT '[]',
    added_at float8 NOT NULL
);
CREATE TABLE gold_answers(
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    annotator text NOT NULL DEFAULT session_user,
    state text NOT NULL DEFAULT 'served' CHECK (state IN ('served','done','skipped')),
    text text, skip_reason text,
    seconds float8 NOT NULL DEFAULT 0,
    flags text, wer_edits int, ref_words int, flags_agree boolean,
    served_at float8 NOT NULL, submitted_at float8,
    PRIMARY KEY (clip_id, annotator)
);
CREATE INDEX gold_answers_by_annotator ON gold_answers(annotator, state);
CREATE TABLE finals(
    clip_id bigint PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
    text text NOT NULL,
    set_by text NOT NULL DEFAULT session_user,
    set_at float8 NOT NULL
);

REVOKE ALL ON gold, gold_answers, finals FROM PUBLIC;
GRANT SELECT ON gold, gold_answers, finals TO earmark_reviewer;
GRANT INSERT, UPDATE ON finals TO earmark_reviewer;
GRANT INSERT, UPDATE, DELETE ON gold TO earmark_lead;
GRANT DELETE ON gold_answers, finals TO earmark_lead;

ALTER TABLE finals ENABLE ROW LEVEL SECURITY;
ALTER TABLE finals FORCE ROW LEVEL SECURITY;
CREATE POLICY staff ON finals FOR SELECT
  USING ((SELECT is_staff()) OR current_user = 'earmark_owner');
CREATE POLICY decide ON finals FOR INSERT
  WITH CHECK (set_by = session_user AND (SELECT is_staff()) AND NOT EXISTS (
    SELECT 1 FROM revisions r WHERE r.clip_id = finals.clip_id AND r.annotator = session_user));
CREATE POLICY redecide ON finals FOR UPDATE USING ((SELECT is_staff()))
  WITH CHECK (set_by = session_user AND NOT EXISTS (
    SELECT 1 FROM revisions r WHERE r.clip_id = finals.clip_id AND r.annotator = session_user));
CREATE POLICY purge ON finals FOR DELETE USING ((SELECT is_lead()));

-- A gold clip never gets a slot, however slots are made (import, a lead raising a batch's
-- overlap): the shared queue must never give it.
CREATE FUNCTION gold_no_slot() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM gold WHERE clip_id = NEW.clip_id) THEN RETURN NULL; END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER slots_not_for_gold BEFORE INSERT ON slots FOR EACH ROW
  EXECUTE FUNCTION gold_no_slot();

-- earmark/wer.py's normalisation: casefolded words, apostrophes inside words kept.
CREATE FUNCTION gold_words(t text) RETURNS text[] LANGUAGE sql IMMUTABLE
SET search_path = earmark, pg_temp AS $$
  SELECT coalesce(array_agg(replace(x.m[1], chr(8217), '''') ORDER BY x.n), '{}')
    FROM regexp_matches(lower(coalesce(t, '')), '(\w+(?:[''' || chr(8217) || ']\w+)*)', 'g')
         WITH ORDINALITY AS x(m, n)
$$;

-- (word edits, reference words) between a reference and a transcript: Levenshtein on words.
CREATE FUNCTION word_edits(p_ref text, p_hyp text) RETURNS int[]
LANGUAGE plpgsql IMMUTABLE SET search_path = earmark, pg_temp AS $$
DECLARE r text[] := gold_words(p_ref); h text[] := gold_words(p_hyp);
  n int := coalesce(array_length(r, 1), 0); m int := coalesce(array_length(h, 1), 0);
  prev int[]; cur int[];
BEGIN
  IF n = 0 OR m = 0 THEN RETURN ARRAY[greatest(n, m), n]; END IF;
  prev := ARRAY(SELECT generate_series(0, m));
  FOR i IN 1..n LOOP
    cur := ARRAY[i] || array_fill(0, ARRAY[m]);
    FOR j IN 1..m LOOP
      cur[j + 1] := least(prev[j + 1] + 1, cur[j] + 1,
                          prev[j] + CASE WHEN r[i] = h[j] THEN 0 ELSE 1 END);
    END LOOP;
    prev := cur;
  END LOOP;
  RETURN ARRAY[prev[m + 1], n];
END $$;

-- The session user's unanswered gold clip (not the one open, p_near), else (due, or still
-- onboarding) one they never had.
CREATE FUNCTION gold_next(p_due boolean, p_near bigint, p_batch text, p_onboarding int,
                          p_avoid bigint[], p_now float8) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE got bigint; answered int; onboard boolean;
BEGIN
  IF NOT pg_has_role(session_user, 'earmark_annotator', 'MEMBER') THEN
    RAISE EXCEPTION 'permission denied: % is not an earmark user', session_user
      USING ERRCODE = '42501';
  END IF;
  SELECT a.clip_id INTO got FROM gold_answers a JOIN clips c ON c.id = a.clip_id
   WHERE a.annotator = session_user AND a.state = 'served' AND a.clip_id <> p_near
     AND c.unplayable_reason IS NULL ORDER BY a.served_at, a.clip_id LIMIT 1;
  IF got IS NOT NULL THEN RETURN got; END IF;
  SELECT count(*) INTO answered FROM gold_answers WHERE annotator = session_user;
  onboard := answered < least(p_onboarding, 10);
  IF NOT (p_due OR onboard) THEN RETURN NULL; END IF;
  SELECT g.clip_id INTO got FROM gold g JOIN clips c ON c.id = g.clip_id
    JOIN batches b ON b.id = c.batch_id
   WHERE c.unplayable_reason IS NULL AND NOT g.clip_id = ANY(coalesce(p_avoid, '{}'))
     AND (onboard OR p_batch IS NULL OR b.name = p_batch)
     AND NOT EXISTS (SELECT 1 FROM gold_answers a
                      WHERE a.clip_id = g.clip_id AND a.annotator = session_user)
   ORDER BY (g.clip_id < p_near), g.clip_id LIMIT 1;
  IF got IS NULL THEN RETURN NULL; END IF;
  INSERT INTO gold_answers(clip_id, annotator, served_at) VALUES (got, session_user, p_now)
  ON CONFLICT DO NOTHING;
  RETURN got;
END $$;

-- The session user's own go at a gold clip given to them (nothing for any other clip).
CREATE FUNCTION gold_open(p_clip bigint)
RETURNS TABLE(state text, text text, skip_reason text, seconds float8)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
  SELECT a.state, a.text, a.skip_reason, a.seconds FROM gold_answers a
   WHERE a.clip_id = p_clip AND a.annotator = session_user
$$;

-- Answer a gold clip given to the session user: scored here, with its revision, the draft
-- gone and the same audit line as any submit or skip. False when it was not given to them.
CREATE FUNCTION gold_finish(p_clip bigint, p_text text, p_reason text, p_seconds float8,
                            p_now float8, p_detail text, p_detail_again text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE was text; ref text; ref_flags text[]; given text[]; e int[];
BEGIN
  SELECT a.state, g.text,
         ARRAY(SELECT DISTINCT x FROM json_array_elements_text(g.flags::json) x ORDER BY x)
    INTO was, ref, ref_flags
    FROM gold_answers a JOIN gold g ON g.clip_id = a.clip_id
   WHERE a.clip_id = p_clip AND a.annotator = session_user FOR UPDATE OF a;
  IF NOT FOUND THEN RETURN false; END IF;
  given := ARRAY(SELECT DISTINCT kind FROM flags WHERE clip_id = p_clip
                  AND raised_by = session_user AND state = 'active' ORDER BY kind);
  e := CASE WHEN p_text IS NULL THEN ARRAY[0, 0] ELSE word_edits(ref, p_text) END;
  UPDATE gold_answers SET state = CASE WHEN p_text IS NULL THEN 'skipped' ELSE 'done' END,
         text = p_text, skip_reason = p_reason,
         seconds = CASE WHEN was = 'served' THEN p_seconds ELSE seconds + p_seconds END,
         flags = array_to_json(given)::text, wer_edits = e[1], ref_words = e[2],
         flags_agree = (given = ref_flags), submitted_at = p_now
   WHERE clip_id = p_clip AND annotator = session_user;
  INSERT INTO revisions(clip_id, status, text, skip_reason, annotator, seconds, at)
  VALUES (p_clip, CASE WHEN p_text IS NULL THEN 'skipped' ELSE 'done' END, p_text, p_reason,
          session_user, p_seconds, p_now);
  DELETE FROM drafts WHERE clip_id = p_clip AND annotator = session_user;
  PERFORM audit_append(CASE WHEN p_text IS NULL THEN 'skip' ELSE 'submit' END,
                       (SELECT name FROM clips WHERE id = p_clip),
                       CASE WHEN was IN ('done', 'skipped') THEN p_detail_again
                            ELSE p_detail END);
  RETURN true;
END $$;

-- The session user's own gold figures since a time: counts and sums, no clip named.
CREATE FUNCTION gold_mine(p_since float8)
RETURNS TABLE(clips bigint, skipped bigint, edits bigint, words bigint, agree bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
  SELECT count(*), count(*) FILTER (WHERE state = 'skipped'),
         coalesce(sum(wer_edits), 0), coalesce(sum(ref_words), 0),
         count(*) FILTER (WHERE flags_agree)
    FROM gold_answers
   WHERE annotator = session_user AND state IN ('done', 'skipped') AND submitted_at >= p_since
$$;

REVOKE ALL ON FUNCTION gold_words(text), word_edits(text, text),
  gold_next(boolean, bigint, text, int, bigint[], float8), gold_open(bigint),
  gold_finish(bigint, text, text, float8, float8, text, text), gold_mine(float8) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gold_words(text), word_edits(text, text),
  gold_next(boolean, bigint, text, int, bigint[], float8), gold_open(bigint),
  gold_finish(bigint, text, text, float8, float8, text, text), gold_mine(float8)
  TO earmark_annotator;
"""
