"""The SQLite tables of gold clips and final transcripts (store/gold.py), one migration.

Kept apart from schema.py so that file stays one short list of the other migrations.
"""

GOLD_SQL = """
-- A gold clip's hidden reference (store/gold.py). The clip stays in clips, in its
-- batch and place in import order like any clip, held out of the shared queue
-- (in progress, held by nobody, no lease) and served to each annotator on its own.
CREATE TABLE gold(
    clip_id INTEGER PRIMARY KEY REFERENCES clips(id),
    text TEXT NOT NULL,
    flags TEXT NOT NULL DEFAULT '[]',   -- JSON flag kinds the clip should get
    added_at REAL NOT NULL
);
-- Each annotator's go at a gold clip: served, then answered and scored.
CREATE TABLE gold_answers(
    clip_id INTEGER NOT NULL REFERENCES clips(id),
    annotator TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'served' CHECK (state IN ('served','done','skipped')),
    text TEXT,
    skip_reason TEXT,
    draft TEXT,
    cursor INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    flags TEXT,                         -- JSON flag kinds the annotator raised
    wer_edits INTEGER,
    ref_words INTEGER,
    flags_agree INTEGER,
    served_at REAL NOT NULL,
    submitted_at REAL,
    PRIMARY KEY (clip_id, annotator)
);
CREATE INDEX gold_answers_by_annotator ON gold_answers(annotator, state);
-- The final transcript a reviewer set for a disputed overlapped clip (quality/final.py).
CREATE TABLE finals(
    clip_id INTEGER PRIMARY KEY REFERENCES clips(id),
    text TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at REAL NOT NULL
);
"""

# Slots 2..N (store/slots.py) came after gold: a gold clip gets none, however slots are made
# (import into a batch with overlap, a lead raising the overlap), and none it had stays open.
GOLD_NO_SLOTS_SQL = """
CREATE TRIGGER slots_not_for_gold BEFORE INSERT ON slots
WHEN EXISTS (SELECT 1 FROM gold WHERE clip_id = new.clip_id) BEGIN
    SELECT RAISE(IGNORE);
END;
DELETE FROM slots WHERE state = 'open' AND clip_id IN (SELECT clip_id FROM gold);
"""
