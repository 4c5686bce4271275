"""The schema as an ordered list of named migrations.

A migration, once committed to main, is never edited: add a new one at the end. Names
(not numbers) are recorded in `migrations`, so parallel work can append without renumbering.
"""

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_core",
        """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE batches(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL
        );

        -- One row per clip; rowid order is import order.
        CREATE TABLE clips(
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,          -- keyed pseudonym of the source id
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            audio TEXT NOT NULL,                -- absolute path; audio is never copied
            duration REAL,
            samplerate INTEGER,
            channels INTEGER,
            asr TEXT NOT NULL DEFAULT '',
            asr_words TEXT,                     -- JSON [{"word","start","end","conf"}]
            asr_alternatives TEXT,              -- JSON ["..."]
            status TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending','in_progress','done','skipped','unplayable')),
            skip_reason TEXT,                   -- also the reason a clip is unplayable
            text TEXT,                          -- the submitted transcript
            annotator TEXT,
            seconds_on_clip REAL NOT NULL DEFAULT 0,
            submitted_at REAL,
            updated_at REAL
        );
        CREATE INDEX clips_by_status ON clips(status, id);
        CREATE INDEX clips_by_submitted ON clips(submitted_at);

        -- Every submitted version of a transcript, so reopening a clip keeps the old text.
        CREATE TABLE revisions(
            id INTEGER PRIMARY KEY,
            clip_id INTEGER NOT NULL REFERENCES clips(id),
            status TEXT NOT NULL,
            text TEXT,
            skip_reason TEXT,
            annotator TEXT NOT NULL,
            seconds REAL NOT NULL DEFAULT 0,
            at REAL NOT NULL
        );
        CREATE INDEX revisions_by_clip ON revisions(clip_id);
        CREATE INDEX revisions_by_at ON revisions(at);

        CREATE TABLE drafts(
            clip_id INTEGER PRIMARY KEY REFERENCES clips(id),
            annotator TEXT NOT NULL,
            text TEXT NOT NULL,
            cursor INTEGER NOT NULL DEFAULT 0,
            seconds REAL NOT NULL DEFAULT 0,
            updated_at REAL NOT NULL
        );

        CREATE TABLE lexicon(
            term TEXT PRIMARY KEY,
            batch_id INTEGER REFERENCES batches(id)
        );
        """,
    ),
    (
        "0002_flags",
        """
        -- What an annotator marked on a clip. Spans are seconds into the clip's audio.
        CREATE TABLE flags(
            id INTEGER PRIMARY KEY,
            clip_id INTEGER NOT NULL REFERENCES clips(id),
            kind TEXT NOT NULL CHECK (kind IN ('critical','distressing','escalation')),
            start REAL,
            end REAL,
            category TEXT,
            note TEXT NOT NULL DEFAULT '',
            redact TEXT,                         -- JSON [word index, ...] to redact in exports
            state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','downgraded')),
            raised_by TEXT NOT NULL,
            raised_at REAL NOT NULL
        );
        CREATE INDEX flags_by_clip ON flags(clip_id);
        CREATE INDEX flags_by_kind ON flags(kind, state);
        """,
    ),
]
