"""The SQLite tables of second-pass review (earmark/store/reviews.py), kept apart from
schema.py so the list of migrations stays short enough to read."""

REVIEWS_SQL = """
        -- Second-pass review (earmark/store/reviews.py): one row per annotator's transcript a
        -- reviewer checked, with what it was when checked; a reviewer never checks their own.
        CREATE TABLE reviews(
            id INTEGER PRIMARY KEY,
            clip_id INTEGER NOT NULL REFERENCES clips(id),
            annotator TEXT NOT NULL,
            submitted TEXT NOT NULL,
            reviewer TEXT NOT NULL CHECK (reviewer <> annotator),
            outcome TEXT NOT NULL CHECK (outcome IN ('accepted','fixed','rejected')),
            text TEXT,
            note TEXT NOT NULL DEFAULT '',
            at REAL NOT NULL,
            UNIQUE (clip_id, annotator)
        );
        CREATE INDEX reviews_by_annotator ON reviews(annotator, id);
        -- The newest review each annotator has seen, for the annotator's notice.
        CREATE TABLE review_seen(annotator TEXT PRIMARY KEY, last_id INTEGER NOT NULL);
        """
