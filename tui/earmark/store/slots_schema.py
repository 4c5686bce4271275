"""The SQLite migration that gives clips of a batch with overlap N their slots 2..N
(store/slots.py) and each annotator their own draft of a clip. Apart from schema.py, like
gold_schema.py, so the list of migrations stays one screen of names.
"""

SLOTS_SQL = """
-- Each annotator's own draft of a clip: with overlap (or a claim that ran out and
-- passed to someone else) several annotators hold drafts of one clip, blind to each
-- other's.
CREATE TABLE drafts_own(
    clip_id INTEGER NOT NULL REFERENCES clips(id),
    annotator TEXT NOT NULL,
    text TEXT NOT NULL,
    cursor INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,
    PRIMARY KEY (clip_id, annotator)
) WITHOUT ROWID;
INSERT INTO drafts_own SELECT clip_id, annotator, text, cursor, seconds, updated_at
    FROM drafts;
DROP TABLE drafts;
ALTER TABLE drafts_own RENAME TO drafts;
CREATE INDEX drafts_by_annotator ON drafts(annotator, updated_at);

-- Slots 2..N of a clip in a batch with overlap N (store/slots.py); slot 1 is the
-- clip's own row. `prio` counts the clip's finished slots: those clips come first.
CREATE TABLE slots(
    clip_id INTEGER NOT NULL REFERENCES clips(id),
    n INTEGER NOT NULL CHECK (n BETWEEN 2 AND 20),
    state TEXT NOT NULL DEFAULT 'open'
        CHECK (state IN ('open','leased','done','skipped')),
    annotator TEXT,
    lease_until REAL,
    prio INTEGER NOT NULL DEFAULT 0,
    text TEXT,
    skip_reason TEXT,
    seconds REAL NOT NULL DEFAULT 0,
    submitted_at REAL,
    wer_edits INTEGER,
    wer_words INTEGER,
    PRIMARY KEY (clip_id, n),
    UNIQUE (clip_id, annotator)
) WITHOUT ROWID;
CREATE INDEX slots_claimable ON slots(prio DESC, clip_id) WHERE state IN ('open','leased');
CREATE INDEX slots_by_annotator ON slots(annotator, state, clip_id);
CREATE TABLE slot_numbers(n INTEGER PRIMARY KEY);
INSERT INTO slot_numbers(n) VALUES (2),(3),(4),(5),(6),(7),(8),(9),(10),(11),(12),
    (13),(14),(15),(16),(17),(18),(19),(20);
INSERT INTO slots(clip_id, n)
    SELECT c.id, k.n FROM clips c JOIN batches b ON b.id = c.batch_id
    JOIN slot_numbers k ON k.n <= b.overlap;

CREATE TRIGGER clips_extra_slots AFTER INSERT ON clips
WHEN (SELECT overlap FROM batches WHERE id = new.batch_id) > 1 BEGIN
    INSERT INTO slots(clip_id, n) SELECT new.id, k.n FROM slot_numbers k
    WHERE k.n <= (SELECT overlap FROM batches WHERE id = new.batch_id);
END;
CREATE TRIGGER clips_first_slot_finished AFTER UPDATE OF status ON clips
WHEN new.status IN ('done','skipped') AND old.status NOT IN ('done','skipped') BEGIN
    UPDATE slots SET prio = prio + 1
    WHERE clip_id = new.id AND state IN ('open','leased');
END;
CREATE TRIGGER slots_finished AFTER UPDATE OF state ON slots
WHEN new.state IN ('done','skipped') AND old.state NOT IN ('done','skipped') BEGIN
    UPDATE slots SET prio = prio + 1
    WHERE clip_id = new.clip_id AND n <> new.n AND state IN ('open','leased');
END;
CREATE TRIGGER clips_slots_delete BEFORE DELETE ON clips BEGIN
    DELETE FROM slots WHERE clip_id = old.id;
END;
"""
