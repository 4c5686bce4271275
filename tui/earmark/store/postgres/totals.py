"""Figures PostgreSQL keeps up to date as slots change, so reading them costs the same at ten
clips as at a million (the SQLite store keeps the same promise with its own triggers).

- `clips.pos`: a clip's 1-based position in import order, given at insert under a lock (two
  imports at once take turns) and renumbered in one pass after clips are removed (a purge),
  so `position` is one row and `clip_count` one index probe, never a count over clips.
- `clips.st`: the clip's whole status (pending, in_progress, done, skipped, unplayable),
  recomputed from its own N slots when one of them changes.
- `clip_totals`: clips per status, and time and WER parts over finished slots, spread over
  32 shards by clip id so that fifty annotators submitting at once do not queue on one
  counter row; `totals` adds up the shards (160 rows at most).

The trigger functions run as the owner (SECURITY DEFINER): annotators change slots only
through the owner's claim and submit functions, and never write these figures themselves.
"""

TOTALS_SQL = r"""
ALTER TABLE clips ADD COLUMN pos bigint;
ALTER TABLE clips ADD COLUMN st text NOT NULL DEFAULT 'pending';
UPDATE clips c SET pos = r.rn FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn
                                     FROM clips) r WHERE r.id = c.id;
CREATE INDEX clips_by_pos ON clips(pos);

CREATE TABLE clip_totals(
    shard int NOT NULL, status text NOT NULL,
    clips bigint NOT NULL DEFAULT 0, seconds float8 NOT NULL DEFAULT 0,
    wer_edits bigint NOT NULL DEFAULT 0, wer_words bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (shard, status)
);
GRANT SELECT ON clip_totals TO earmark_annotator;

-- A clip's whole status from its slots: done when every slot is finished and one has a
-- transcript, skipped when every slot was skipped, in progress once any slot was taken.
CREATE FUNCTION whole_status(p_clip bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
  SELECT CASE WHEN (SELECT unplayable_reason FROM clips WHERE id = p_clip) IS NOT NULL
              THEN 'unplayable'
              WHEN count(*) = 0 THEN 'pending'
              WHEN bool_and(state IN ('done','skipped')) AND bool_or(state = 'done') THEN 'done'
              WHEN bool_and(state = 'skipped') THEN 'skipped'
              WHEN bool_or(state <> 'open') THEN 'in_progress' ELSE 'pending' END
    FROM slots WHERE clip_id = p_clip
$$;

CREATE FUNCTION bump_totals(p_clip bigint, p_status text, p_clips int, p_seconds float8,
                            p_edits bigint, p_words bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
  INSERT INTO clip_totals AS t(shard, status, clips, seconds, wer_edits, wer_words)
  VALUES ((p_clip % 32)::int, p_status, p_clips, p_seconds, p_edits, p_words)
  ON CONFLICT (shard, status) DO UPDATE SET clips = t.clips + excluded.clips,
    seconds = t.seconds + excluded.seconds, wer_edits = t.wer_edits + excluded.wer_edits,
    wer_words = t.wer_words + excluded.wer_words
$$;

-- The clip's status moved: count it under the new one.
CREATE FUNCTION restatus(p_clip bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE was text; now_st text;
BEGIN
  SELECT st INTO was FROM clips WHERE id = p_clip;
  IF NOT FOUND THEN RETURN; END IF;  -- the clip itself is going (a purge)
  now_st := whole_status(p_clip);
  IF now_st IS DISTINCT FROM was THEN
    UPDATE clips SET st = now_st WHERE id = p_clip;
    PERFORM bump_totals(p_clip, was, -1, 0, 0, 0);
    PERFORM bump_totals(p_clip, now_st, 1, 0, 0, 0);
  END IF;
END $$;

CREATE FUNCTION slots_totals() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
DECLARE clip bigint := coalesce(NEW.clip_id, OLD.clip_id);
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.state IN ('done', 'skipped') THEN
    PERFORM bump_totals(clip, OLD.state, 0, -OLD.seconds,
                        -coalesce(OLD.wer_edits, 0) * (OLD.state = 'done')::int,
                        -coalesce(OLD.wer_words, 0) * (OLD.state = 'done')::int);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.state IN ('done', 'skipped') THEN
    PERFORM bump_totals(clip, NEW.state, 0, NEW.seconds,
                        coalesce(NEW.wer_edits, 0) * (NEW.state = 'done')::int,
                        coalesce(NEW.wer_words, 0) * (NEW.state = 'done')::int);
  END IF;
  IF TG_OP <> 'UPDATE' OR OLD.state IS DISTINCT FROM NEW.state THEN
    PERFORM restatus(clip);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER slots_totals AFTER INSERT OR DELETE OR UPDATE OF state, seconds, wer_edits,
  wer_words ON slots FOR EACH ROW EXECUTE FUNCTION slots_totals();

-- A new clip is counted (pending, or unplayable) and placed after the last one.
CREATE FUNCTION clips_place() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('earmark.clip_pos'));
  NEW.pos := coalesce((SELECT max(pos) FROM clips), 0) + 1;
  NEW.st := CASE WHEN NEW.unplayable_reason IS NULL THEN 'pending' ELSE 'unplayable' END;
  RETURN NEW;
END $$;
CREATE TRIGGER clips_place BEFORE INSERT ON clips FOR EACH ROW EXECUTE FUNCTION clips_place();

CREATE FUNCTION clips_counted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM bump_totals(NEW.id, NEW.st, 1, 0, 0, 0);
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM bump_totals(OLD.id, OLD.st, -1, 0, 0, 0);
  ELSE
    PERFORM restatus(NEW.id);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER clips_counted AFTER INSERT OR DELETE ON clips
  FOR EACH ROW EXECUTE FUNCTION clips_counted();
CREATE TRIGGER clips_unplayable AFTER UPDATE OF unplayable_reason ON clips
  FOR EACH ROW EXECUTE FUNCTION clips_counted();

-- After a purge, the clips after the removed ones move up: one pass, once per statement.
CREATE FUNCTION clips_renumber() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN
  UPDATE clips c SET pos = r.rn FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn
                                        FROM clips) r
   WHERE r.id = c.id AND c.pos IS DISTINCT FROM r.rn;
  RETURN NULL;
END $$;
CREATE TRIGGER clips_renumber AFTER DELETE ON clips
  FOR EACH STATEMENT EXECUTE FUNCTION clips_renumber();

-- What is there already.
UPDATE clips SET st = whole_status(id);
INSERT INTO clip_totals(shard, status, clips)
  SELECT (id % 32)::int, st, count(*) FROM clips GROUP BY 1, 2;
INSERT INTO clip_totals AS t(shard, status, seconds, wer_edits, wer_words)
  SELECT (clip_id % 32)::int, state, sum(seconds),
         coalesce(sum(wer_edits) FILTER (WHERE state = 'done'), 0),
         coalesce(sum(wer_words) FILTER (WHERE state = 'done'), 0)
    FROM slots WHERE state IN ('done', 'skipped') GROUP BY 1, 2
  ON CONFLICT (shard, status) DO UPDATE SET seconds = excluded.seconds,
    wer_edits = excluded.wer_edits, wer_words = excluded.wer_words;
"""
