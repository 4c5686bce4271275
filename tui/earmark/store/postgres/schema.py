"""The PostgreSQL schema: tables, group roles, row-level security and the audit function.

Migrations are named and applied in order by `earmark init`, each in its own transaction,
as the NOLOGIN role `earmark_owner` that owns every object: the only role (besides a
superuser) that may update or delete audit rows. A migration, once on main, is never edited:
append a new one. Group roles are cluster-wide and created when missing, so several earmark
databases on one server share them.

Who may do what is decided here, by PostgreSQL, not by earmark's Python: annotators see
only their own slots, drafts, revisions, notes, plays and escalations (row-level security,
FORCEd so that even the owner's functions obey it), never the pseudonym key; the audit table
takes appends only through `audit_append`, a SECURITY DEFINER function; the chain is
extended under a lock with the authenticated session user as actor.
"""

from __future__ import annotations

from earmark.store.postgres.functions import FUNCTIONS, QUEUE_PLANS
from earmark.store.postgres.gold_sql import GOLD_SQL
from earmark.store.postgres.privileges import PRIVILEGES
from earmark.store.postgres.report_sql import REPORT_FUNCTIONS
from earmark.store.postgres.reviews_schema import REVIEWS
from earmark.store.postgres.totals import TOTALS_SQL

GROUPS = ("earmark_annotator", "earmark_reviewer", "earmark_lead")
OWNER = "earmark_owner"

# Roles are created by a superuser (or a CREATEROLE role) before the migrations run.
ROLES_SQL = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'earmark_owner') THEN
    CREATE ROLE earmark_owner NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'earmark_annotator') THEN
    CREATE ROLE earmark_annotator NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'earmark_reviewer') THEN
    CREATE ROLE earmark_reviewer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'earmark_lead') THEN
    CREATE ROLE earmark_lead NOLOGIN;
  END IF;
END $$;
GRANT earmark_annotator TO earmark_reviewer;
GRANT earmark_reviewer TO earmark_lead;
GRANT earmark_annotator TO earmark_lead WITH ADMIN OPTION;
GRANT earmark_reviewer TO earmark_lead WITH ADMIN OPTION;
"""

_CORE = r"""
CREATE TABLE meta(key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE secret(id int PRIMARY KEY CHECK (id = 1), key text NOT NULL);

CREATE TABLE batches(
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    overlap int NOT NULL DEFAULT 1 CHECK (overlap BETWEEN 1 AND 20),
    created_at float8 NOT NULL
);

CREATE TABLE clips(
    id bigserial PRIMARY KEY,
    name text NOT NULL UNIQUE,
    batch_id bigint NOT NULL REFERENCES batches(id),
    audio text NOT NULL,
    duration float8, samplerate int, channels int,
    asr text NOT NULL DEFAULT '',
    asr_words text, asr_alternatives text,
    unplayable_reason text,
    created_at float8 NOT NULL
);

-- One slot per required annotation of a clip. `lease_until` is 0 for an open slot; a slot
-- whose lease has run out is claimable again. `prio` counts the clip's finished slots, so
-- clips that others already finished come first (agreement data arrives early).
CREATE TABLE slots(
    id bigserial PRIMARY KEY,
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    n int NOT NULL,
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open','leased','done','skipped')),
    annotator text,
    lease_until float8 NOT NULL DEFAULT 0,
    claimed_at float8,
    prio int NOT NULL DEFAULT 0,
    text text, skip_reason text,
    seconds float8 NOT NULL DEFAULT 0,
    submitted_at float8,
    wer_edits int, wer_words int,  -- the ASR guess against this transcript
    UNIQUE (clip_id, n),
    UNIQUE (clip_id, annotator)
);
CREATE INDEX slots_claimable ON slots(prio DESC, id) WHERE state IN ('open','leased');
CREATE INDEX slots_by_annotator ON slots(annotator, clip_id);

CREATE TABLE revisions(
    id bigserial PRIMARY KEY,
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    status text NOT NULL, text text, skip_reason text,
    annotator text NOT NULL DEFAULT session_user,
    seconds float8 NOT NULL DEFAULT 0,
    at float8 NOT NULL
);
CREATE INDEX revisions_by_clip ON revisions(clip_id);
CREATE INDEX revisions_by_at ON revisions(at);

CREATE TABLE drafts(
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    annotator text NOT NULL DEFAULT session_user,
    text text NOT NULL, cursor int NOT NULL DEFAULT 0,
    seconds float8 NOT NULL DEFAULT 0, updated_at float8 NOT NULL,
    PRIMARY KEY (clip_id, annotator)
);

CREATE TABLE lexicon(term text PRIMARY KEY, batch_id bigint REFERENCES batches(id));

CREATE TABLE users(
    name text PRIMARY KEY,
    joined_at float8 NOT NULL,
    granted_by text, granted_at float8
);

CREATE TABLE flags(
    id bigserial PRIMARY KEY,
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('critical','distressing','escalation')),
    start float8, "end" float8, category text, redact text,
    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active','downgraded')),
    raised_by text NOT NULL DEFAULT session_user,
    raised_at float8 NOT NULL,
    downgrade_requested_by text, downgrade_requested_at float8, downgraded_by text,
    CHECK (downgraded_by IS NULL OR downgraded_by <> downgrade_requested_by)
);
CREATE INDEX flags_by_clip ON flags(clip_id);
-- A flag's free text, apart: annotators see the kind of others' flags (content warnings,
-- routing), never what someone else wrote.
CREATE TABLE flag_notes(
    flag_id bigint PRIMARY KEY REFERENCES flags(id) ON DELETE CASCADE,
    raised_by text NOT NULL DEFAULT session_user,
    note text NOT NULL DEFAULT ''
);

CREATE TABLE escalations(
    id bigserial PRIMARY KEY,
    flag_id bigint NOT NULL UNIQUE REFERENCES flags(id) ON DELETE CASCADE,
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    tier text NOT NULL CHECK (tier IN ('imminent','urgent','standard')),
    category text NOT NULL, start float8, "end" float8,
    note text NOT NULL DEFAULT '',
    state text NOT NULL DEFAULT 'raised'
        CHECK (state IN ('raised','acknowledged','pending_confirmation','resolved')),
    raised_by text NOT NULL DEFAULT session_user,
    raised_at float8 NOT NULL, deadline float8 NOT NULL,
    acked_by text, acked_at float8,
    proposed_outcome text, proposed_note text, proposed_by text, proposed_at float8,
    outcome text CHECK (outcome IS NULL OR outcome IN
        ('no_action','false_alarm','referred_safety_team','referred_law_enforcement')),
    outcome_note text, resolved_by text, resolved_at float8, confirmed_by text,
    CHECK (confirmed_by IS NULL OR confirmed_by <> proposed_by)
);
CREATE INDEX escalations_by_raiser ON escalations(raised_by);

CREATE TABLE audit(
    seq bigint PRIMARY KEY,
    at text NOT NULL, actor text NOT NULL, action text NOT NULL, clip text,
    detail text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL
);

-- Entries waiting to be linked into the chain: an append is durable at once, and chaining
-- happens in batches under one lock, so submits do not queue behind each other's disk writes.
CREATE TABLE audit_queue(
    id bigserial PRIMARY KEY,
    at text NOT NULL, actor text NOT NULL, action text NOT NULL, clip text,
    detail text NOT NULL
);

CREATE TABLE plays(
    id bigserial PRIMARY KEY,
    who text NOT NULL DEFAULT session_user,
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    start float8 NOT NULL, "end" float8 NOT NULL, speed float8 NOT NULL, at float8 NOT NULL
);
CREATE INDEX plays_by_who ON plays(who, at);

CREATE TABLE opt_outs(
    who text NOT NULL DEFAULT session_user,
    category text NOT NULL,
    PRIMARY KEY (who, category)
);
"""

# Each annotator's own word index for suggestions: built from their own transcripts only,
# since a shared one would show one annotator the words others heard.
_WORDS = """
CREATE TABLE word_index(
    who text NOT NULL DEFAULT session_user, key text NOT NULL, display text NOT NULL,
    uses int NOT NULL, clips int NOT NULL, PRIMARY KEY (who, key)
);
CREATE TABLE clip_words(
    who text NOT NULL DEFAULT session_user, clip_id bigint NOT NULL, key text NOT NULL,
    uses int NOT NULL, PRIMARY KEY (who, clip_id, key)
);
CREATE TABLE learned_utterances(
    seq bigserial PRIMARY KEY, who text NOT NULL DEFAULT session_user, clip_id bigint NOT NULL
);
CREATE TABLE word_index_ready(who text PRIMARY KEY DEFAULT session_user);
ALTER TABLE flags ADD COLUMN redact_words text;
GRANT UPDATE (redact_words) ON flags TO earmark_annotator;
GRANT SELECT, INSERT, UPDATE, DELETE ON word_index, clip_words, learned_utterances,
  word_index_ready TO earmark_annotator;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA earmark TO earmark_annotator;
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['word_index', 'clip_words', 'learned_utterances',
                           'word_index_ready'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY own ON %I FOR ALL USING (who = session_user'
                   ' OR current_user = ''earmark_owner'')'
                   ' WITH CHECK (who = session_user OR current_user = ''earmark_owner'')', t);
  END LOOP;
END $$;
"""

# A batch's quality settings beside its overlap (store/postgres/batches.py); leads change
# them (UPDATE on batches is theirs already).
_BATCH_SETTINGS = """
ALTER TABLE batches ADD COLUMN gold_rate float8 NOT NULL DEFAULT 0
    CHECK (gold_rate BETWEEN 0 AND 1);
ALTER TABLE batches ADD COLUMN review_share float8 NOT NULL DEFAULT 0
    CHECK (review_share BETWEEN 0 AND 1);
ALTER TABLE batches ADD COLUMN min_listen float8 NOT NULL DEFAULT 0
    CHECK (min_listen BETWEEN 0 AND 1);
"""

# The acoustic check (earmark/store/postgres/checks.py): where a guess earmark made came from,
# and the word timings of each transcript with how many of its words the check marked.
_CHECK = """
ALTER TABLE clips ADD COLUMN asr_source text;
CREATE TABLE clip_checks(
    clip_id bigint NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
    who text NOT NULL DEFAULT session_user,
    text text NOT NULL, words text NOT NULL, marked int, at float8 NOT NULL,
    PRIMARY KEY (clip_id, who)
);
GRANT SELECT, INSERT, UPDATE ON clip_checks TO earmark_annotator;
GRANT DELETE ON clip_checks TO earmark_lead;
ALTER TABLE clip_checks ENABLE ROW LEVEL SECURITY;
ALTER TABLE clip_checks FORCE ROW LEVEL SECURITY;
CREATE POLICY readable ON clip_checks FOR SELECT
  USING (who = session_user OR (SELECT is_staff()) OR current_user = 'earmark_owner');
CREATE POLICY own ON clip_checks FOR ALL
  USING (who = session_user OR (SELECT is_lead()) OR current_user = 'earmark_owner')
  WITH CHECK (who = session_user OR (SELECT is_lead()) OR current_user = 'earmark_owner');
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_core", _CORE),
    ("0002_functions", FUNCTIONS),
    ("0003_privileges", PRIVILEGES),
    ("0004_words", _WORDS),
    ("batch_settings", _BATCH_SETTINGS),
    ("maintained_totals", TOTALS_SQL),
    ("gold_clips_and_finals", GOLD_SQL),
    ("acoustic_check", _CHECK),
    ("reviews", REVIEWS),
    ("report_figures_for_leads", REPORT_FUNCTIONS),
    ("queue_plans", QUEUE_PLANS),
]
