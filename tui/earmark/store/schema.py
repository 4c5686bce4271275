"""The schema as an ordered list of named migrations.

A migration, once committed to main, is never edited: add a new one at the end. Names
(not numbers) are recorded in `migrations`, so parallel work can append without renumbering.
"""

from earmark.store.gold_schema import GOLD_NO_SLOTS_SQL, GOLD_SQL
from earmark.store.reviews_schema import REVIEWS_SQL
from earmark.store.slots_schema import SLOTS_SQL

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
    (
        "0003_sensitive",
        """
        -- Who may do what. The first user a database sees becomes lead.
        CREATE TABLE users(
            name TEXT PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('annotator','reviewer','lead')),
            joined_at REAL NOT NULL,
            granted_by TEXT,
            granted_at REAL
        );

        -- An escalation is a flag of kind 'escalation' plus its workflow.
        CREATE TABLE escalations(
            id INTEGER PRIMARY KEY,
            flag_id INTEGER NOT NULL UNIQUE REFERENCES flags(id),
            clip_id INTEGER NOT NULL REFERENCES clips(id),
            tier TEXT NOT NULL CHECK (tier IN ('imminent','urgent','standard')),
            category TEXT NOT NULL,
            start REAL,
            end REAL,
            note TEXT NOT NULL DEFAULT '',
            state TEXT NOT NULL DEFAULT 'raised'
                CHECK (state IN ('raised','acknowledged','pending_confirmation','resolved')),
            raised_by TEXT NOT NULL,
            raised_at REAL NOT NULL,
            deadline REAL NOT NULL,
            acked_by TEXT,
            acked_at REAL,
            proposed_outcome TEXT,              -- awaiting a second reviewer (two-person rule)
            proposed_note TEXT,
            proposed_by TEXT,
            proposed_at REAL,
            outcome TEXT CHECK (outcome IS NULL OR outcome IN
                ('no_action','false_alarm','referred_safety_team','referred_law_enforcement')),
            outcome_note TEXT,
            resolved_by TEXT,
            resolved_at REAL,
            confirmed_by TEXT
        );
        CREATE INDEX escalations_by_state ON escalations(state, deadline);
        CREATE INDEX escalations_by_raiser ON escalations(raised_by);

        -- A downgrade of a critical flag waits here for a second reviewer.
        ALTER TABLE flags ADD COLUMN downgrade_requested_by TEXT;
        ALTER TABLE flags ADD COLUMN downgrade_requested_at REAL;
        ALTER TABLE flags ADD COLUMN downgraded_by TEXT;

        -- Hash-chained, append-only log: no audio, no transcript text.
        CREATE TABLE audit(
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            clip TEXT,                          -- the clip's pseudonym, never the source id
            detail TEXT NOT NULL,               -- canonical JSON
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );

        -- Every stretch of playback: the audit log's plays, and the exposure meter's input.
        CREATE TABLE plays(
            id INTEGER PRIMARY KEY,
            user TEXT NOT NULL,
            clip_id INTEGER NOT NULL REFERENCES clips(id),
            start REAL NOT NULL,
            end REAL NOT NULL,
            speed REAL NOT NULL,
            at REAL NOT NULL
        );
        CREATE INDEX plays_by_user ON plays(user, at);

        -- Content categories an annotator chose not to hear; no reason asked.
        CREATE TABLE opt_outs(
            user TEXT NOT NULL,
            category TEXT NOT NULL,
            PRIMARY KEY (user, category)
        );
        """,
    ),
    (
        "0004_maintained_totals",
        """
        -- Ids missing from clips (clips removed, e.g. consent withdrawn). Import order has no
        -- other holes, so a clip's position is its id less the gaps before it, and the clip
        -- count is the last id less the gaps: index lookups, never a count over clips.
        CREATE TABLE clip_gaps(id INTEGER PRIMARY KEY);
        WITH RECURSIVE n(i) AS (
            SELECT 1 WHERE (SELECT count(*) FROM clips) < (SELECT coalesce(max(id), 0) FROM clips)
            UNION ALL SELECT i + 1 FROM n WHERE i < (SELECT max(id) FROM clips)
        )
        INSERT INTO clip_gaps(id) SELECT i FROM n WHERE i NOT IN (SELECT id FROM clips);

        -- The word error rate's parts for a done clip (edits, reference words), set at submit.
        ALTER TABLE clips ADD COLUMN wer_edits INTEGER;
        ALTER TABLE clips ADD COLUMN wer_words INTEGER;
        CREATE INDEX clips_wer_missing ON clips(id) WHERE status = 'done' AND wer_words IS NULL;

        -- Per batch and status: clips, seconds spent on them, WER parts. Kept by the triggers
        -- below in the same transaction as the change, so `stats` reads a handful of rows.
        CREATE TABLE clip_totals(
            batch_id INTEGER NOT NULL,
            status TEXT NOT NULL,
            clips INTEGER NOT NULL DEFAULT 0,
            seconds REAL NOT NULL DEFAULT 0,
            wer_edits INTEGER NOT NULL DEFAULT 0,
            wer_words INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (batch_id, status)
        ) WITHOUT ROWID;
        INSERT INTO clip_totals(batch_id, status, clips, seconds)
            SELECT batch_id, status, count(*), total(seconds_on_clip) FROM clips
            GROUP BY batch_id, status;

        CREATE TRIGGER clips_totals_insert AFTER INSERT ON clips BEGIN
            INSERT INTO clip_totals(batch_id, status, clips, seconds, wer_edits, wer_words)
            VALUES (new.batch_id, new.status, 1, new.seconds_on_clip,
                    coalesce(new.wer_edits, 0), coalesce(new.wer_words, 0))
            ON CONFLICT(batch_id, status) DO UPDATE SET
                clips = clips + 1, seconds = seconds + excluded.seconds,
                wer_edits = wer_edits + excluded.wer_edits,
                wer_words = wer_words + excluded.wer_words;
            DELETE FROM clip_gaps WHERE id = new.id;
        END;

        CREATE TRIGGER clips_totals_delete AFTER DELETE ON clips BEGIN
            UPDATE clip_totals SET clips = clips - 1, seconds = seconds - old.seconds_on_clip,
                wer_edits = wer_edits - coalesce(old.wer_edits, 0),
                wer_words = wer_words - coalesce(old.wer_words, 0)
            WHERE batch_id = old.batch_id AND status = old.status;
            INSERT OR IGNORE INTO clip_gaps(id) VALUES (old.id);
        END;

        CREATE TRIGGER clips_totals_update
        AFTER UPDATE OF status, batch_id, seconds_on_clip, wer_edits, wer_words ON clips BEGIN
            UPDATE clip_totals SET clips = clips - 1, seconds = seconds - old.seconds_on_clip,
                wer_edits = wer_edits - coalesce(old.wer_edits, 0),
                wer_words = wer_words - coalesce(old.wer_words, 0)
            WHERE batch_id = old.batch_id AND status = old.status;
            INSERT INTO clip_totals(batch_id, status, clips, seconds, wer_edits, wer_words)
            VALUES (new.batch_id, new.status, 1, new.seconds_on_clip,
                    coalesce(new.wer_edits, 0), coalesce(new.wer_words, 0))
            ON CONFLICT(batch_id, status) DO UPDATE SET
                clips = clips + 1, seconds = seconds + excluded.seconds,
                wer_edits = wer_edits + excluded.wer_edits,
                wer_words = wer_words + excluded.wer_words;
        END;
        """,
    ),
    (
        "0100_word_index",
        """
        -- The words of submitted transcripts, for suggestions: how often each was written
        -- and in how many distinct clips (a word is offered to others from 3 clips on).
        CREATE TABLE word_index(
            key TEXT PRIMARY KEY,               -- folded: case and accents ignored
            display TEXT NOT NULL,
            uses INTEGER NOT NULL,
            clips INTEGER NOT NULL
        );
        CREATE INDEX word_index_by_clips ON word_index(clips);
        CREATE TABLE clip_words(
            clip_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            uses INTEGER NOT NULL,
            PRIMARY KEY (clip_id, key)
        );
        -- Clips whose correction the whole-utterance suggestion may offer, newest last.
        CREATE TABLE learned_utterances(
            seq INTEGER PRIMARY KEY,
            clip_id INTEGER NOT NULL UNIQUE
        );
        -- A project with nothing submitted yet has nothing to fill the index from.
        INSERT INTO meta(key, value) SELECT 'word_index_ready', '1'
            WHERE NOT EXISTS (SELECT 1 FROM clips WHERE status = 'done');
        """,
    ),
    (
        "redaction_marks",
        """
        -- The words a critical flag redacts, as words (JSON [[word, occurrence], ...]), so
        -- they follow the transcript through edits (earmark/redaction.py).
        ALTER TABLE flags ADD COLUMN redact_words TEXT;
        """,
    ),
    (
        "leases",
        """
        -- How long an annotator's claim on a clip in progress lasts (store/queue.py:
        -- claim_next); NULL for clips opened without a claim, which never lapse.
        ALTER TABLE clips ADD COLUMN lease_until REAL;
        """,
    ),
    (
        "batch_settings",
        """
        -- Per batch (store/batches.py): transcripts needed per clip, the share of gold clips
        -- served, the share sampled for second-pass review, the share heard before a submit.
        ALTER TABLE batches ADD COLUMN overlap INTEGER NOT NULL DEFAULT 1
            CHECK (overlap BETWEEN 1 AND 20);
        ALTER TABLE batches ADD COLUMN gold_rate REAL NOT NULL DEFAULT 0
            CHECK (gold_rate BETWEEN 0 AND 1);
        ALTER TABLE batches ADD COLUMN review_share REAL NOT NULL DEFAULT 0
            CHECK (review_share BETWEEN 0 AND 1);
        ALTER TABLE batches ADD COLUMN min_listen REAL NOT NULL DEFAULT 0
            CHECK (min_listen BETWEEN 0 AND 1);
        """,
    ),
    ("slots_and_own_drafts", SLOTS_SQL),
    ("gold_clips_and_finals", GOLD_SQL),
    (
        "acoustic_check",
        """
        -- Where a clip's guess came from when earmark made it ('offline': `earmark asr`);
        -- NULL when the guess came with the clip.
        ALTER TABLE clips ADD COLUMN asr_source TEXT;
        -- The word timings of a clip's submitted transcript (JSON [{"word","start","end",
        -- "conf"}], from aligning that text to the audio), the text they are of, and how
        -- many of its words the acoustic check marked (NULL: timed, not checked).
        CREATE TABLE clip_checks(
            clip_id INTEGER PRIMARY KEY REFERENCES clips(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            words TEXT NOT NULL,
            marked INTEGER,
            at REAL NOT NULL
        );
        """,
    ),
    ("reviews", REVIEWS_SQL),
    (
        "plays_by_clip",
        """
        -- What one clip was heard (the listen-before-submit rule on opening a clip, the
        -- report's exposure figures): by clip, not by walking a listener's every play.
        CREATE INDEX plays_by_clip ON plays(clip_id, user);
        """,
    ),
    ("gold_clips_get_no_slots", GOLD_NO_SLOTS_SQL),
]
