"""The SQL of the lead's report functions (earmark/store/postgres/figures.py calls them):
SECURITY DEFINER, each refusing anyone who is not a lead, EXECUTE granted to leads alone."""

_GUARD = """
  IF NOT is_lead() THEN
    RAISE EXCEPTION 'only a lead may read the report figures' USING ERRCODE = '42501';
  END IF;"""

REPORT_FUNCTIONS = f"""
-- What one clip was heard (listen-before-submit on opening a clip, exposure figures).
CREATE INDEX plays_by_clip ON plays(clip_id, who);
CREATE FUNCTION report_hourly_work(since float8)
RETURNS TABLE(annotator text, h bigint, done bigint, done_s float8, skipped bigint,
              skipped_s float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN{_GUARD}
  RETURN QUERY SELECT r.annotator, floor(r.at / 3600)::bigint AS hr,
    count(DISTINCT r.clip_id) FILTER (WHERE r.status = 'done'),
    coalesce(sum(r.seconds) FILTER (WHERE r.status = 'done'), 0)::float8,
    count(DISTINCT r.clip_id) FILTER (WHERE r.status = 'skipped'),
    coalesce(sum(r.seconds) FILTER (WHERE r.status = 'skipped'), 0)::float8
  FROM revisions r WHERE r.at >= since AND r.status IN ('done','skipped')
  GROUP BY r.annotator, hr;
END $$;

CREATE FUNCTION report_task_times()
RETURNS TABLE(annotator text, what text, n bigint, secs float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN{_GUARD}
  RETURN QUERY
  SELECT s.annotator, s.state || '_clips', count(*), 0::float8 FROM slots s
    WHERE s.state IN ('done','skipped') GROUP BY s.annotator, s.state
  UNION ALL
  SELECT s.annotator, s.state || '_seconds', 0::bigint, coalesce(sum(s.seconds), 0)::float8
    FROM slots s WHERE s.state IN ('done','skipped') GROUP BY s.annotator, s.state
  UNION ALL
  SELECT p.who, 'listen_seconds', 0::bigint,
    coalesce(sum((p."end" - p.start) / p.speed), 0)::float8
    FROM plays p JOIN slots s ON s.clip_id = p.clip_id AND s.annotator = p.who
    WHERE s.state = 'done' GROUP BY p.who
  UNION ALL
  SELECT f.raised_by, 'handed_back', count(DISTINCT f.clip_id), 0::float8 FROM flags f
    WHERE f.kind IN ('distressing','escalation') AND NOT EXISTS (
      SELECT 1 FROM slots s WHERE s.clip_id = f.clip_id AND s.annotator = f.raised_by
      AND s.state IN ('done','skipped'))
    GROUP BY f.raised_by;
END $$;

CREATE FUNCTION report_wer_by_batch()
RETURNS TABLE(batch text, done bigint, edits bigint, words bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN{_GUARD}
  RETURN QUERY SELECT b.name, count(*), coalesce(sum(s.wer_edits), 0)::bigint,
    coalesce(sum(s.wer_words), 0)::bigint
  FROM slots s JOIN clips c ON c.id = s.clip_id JOIN batches b ON b.id = c.batch_id
  WHERE s.state = 'done' GROUP BY b.id, b.name ORDER BY b.id;
END $$;

CREATE FUNCTION report_exposure_by_hour(since float8)
RETURNS TABLE(who text, h bigint, secs float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = earmark, pg_temp AS $$
BEGIN{_GUARD}
  RETURN QUERY SELECT p.who, floor(p.at / 3600)::bigint AS hr,
    sum((p."end" - p.start) / p.speed)::float8
  FROM plays p WHERE p.at >= since AND p.clip_id IN (SELECT f.clip_id FROM flags f
    WHERE f.kind IN ('distressing','escalation') AND f.state = 'active')
  GROUP BY p.who, hr;
END $$;

REVOKE ALL ON FUNCTION report_hourly_work(float8), report_task_times(),
  report_wer_by_batch(), report_exposure_by_hour(float8) FROM PUBLIC;
REVOKE ALL ON FUNCTION report_hourly_work(float8), report_task_times(),
  report_wer_by_batch(), report_exposure_by_hour(float8) FROM earmark_annotator;
GRANT EXECUTE ON FUNCTION report_hourly_work(float8), report_task_times(),
  report_wer_by_batch(), report_exposure_by_hour(float8) TO earmark_lead;
"""
