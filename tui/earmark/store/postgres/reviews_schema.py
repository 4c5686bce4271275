"""The PostgreSQL tables of second-pass review, and who may read and write them.

An annotator reads only the reviews of their own transcripts; an insert must come from a
reviewer acting as themselves on a clip they hold no slot, revision or draft of. Kept apart
from reviews.py so the schema list can name it without importing the store.
"""

REVIEWS = r"""
CREATE TABLE reviews(
    id bigserial PRIMARY KEY,
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    annotator text NOT NULL,
    submitted text NOT NULL,
    reviewer text NOT NULL DEFAULT session_user CHECK (reviewer <> annotator),
    outcome text NOT NULL CHECK (outcome IN ('accepted','fixed','rejected')),
    text text,
    note text NOT NULL DEFAULT '',
    at float8 NOT NULL,
    UNIQUE (clip_id, annotator)
);
CREATE INDEX reviews_by_annotator ON reviews(annotator, id);
CREATE TABLE review_seen(
    annotator text PRIMARY KEY DEFAULT session_user,
    last_id bigint NOT NULL
);
GRANT SELECT ON reviews TO earmark_annotator;
GRANT INSERT ON reviews TO earmark_reviewer;
GRANT DELETE ON reviews TO earmark_lead;
GRANT USAGE ON SEQUENCE reviews_id_seq TO earmark_reviewer;
GRANT SELECT, INSERT, UPDATE ON review_seen TO earmark_annotator;
ALTER TABLE reviews ENABLE ROW LEVEL SECURITY;
ALTER TABLE reviews FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON reviews FOR SELECT
  USING (annotator = session_user OR (SELECT is_staff()) OR current_user = 'earmark_owner');
CREATE POLICY review ON reviews FOR INSERT WITH CHECK (
  reviewer = session_user AND (SELECT is_staff()) AND annotator <> session_user
  AND NOT EXISTS (SELECT 1 FROM slots s WHERE s.clip_id = reviews.clip_id
                  AND s.annotator = session_user)
  AND NOT EXISTS (SELECT 1 FROM revisions v WHERE v.clip_id = reviews.clip_id
                  AND v.annotator = session_user)
  AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.clip_id = reviews.clip_id
                  AND d.annotator = session_user));
CREATE POLICY purge ON reviews FOR DELETE USING ((SELECT is_lead()));
ALTER TABLE review_seen ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_seen FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON review_seen FOR ALL
  USING (annotator = session_user OR current_user = 'earmark_owner')
  WITH CHECK (annotator = session_user OR current_user = 'earmark_owner');
"""
