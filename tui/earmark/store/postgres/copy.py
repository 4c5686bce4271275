"""Moving a project up: copy a SQLite file into a fresh PostgreSQL earmark database.

Everything is copied in one transaction as the owner role: clips with their ids, slots
made from each clip's status, revisions, drafts, flags (notes apart), escalations, plays,
opt-outs, the pseudonym key (so re-imports keep their names) and the audit log entry for
entry, so its hash chain verifies on the copy and its head equals the file's. Roles are
not copied: on SQLite they were claims; the lead grants them again with `earmark roles
grant`, and the summary lists what the file said.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from earmark.errors import UserError
from earmark.store.postgres.db import PgDatabase
from earmark.store.postgres.schema import OWNER

# table -> (SQLite SELECT, PostgreSQL INSERT); both in the same column order.
_TABLES: list[tuple[str, str, str]] = [
    ("batches", "SELECT id, name, created_at FROM batches", "batches(id, name, created_at)"),
    (
        "clips",
        "SELECT id, name, batch_id, audio, duration, samplerate, channels, asr, asr_words,"
        " asr_alternatives, CASE WHEN status = 'unplayable' THEN coalesce(skip_reason,"
        " 'unplayable') END, coalesce(updated_at, 0), asr_source FROM clips",
        "clips(id, name, batch_id, audio, duration, samplerate, channels, asr, asr_words,"
        " asr_alternatives, unplayable_reason, created_at, asr_source)",
    ),
    (  # word timings of submitted transcripts: one transcript per clip, its annotator's
        "clip_checks",
        "SELECT k.clip_id, c.annotator, k.text, k.words, k.marked, k.at FROM clip_checks k"
        " JOIN clips c ON c.id = k.clip_id WHERE c.annotator IS NOT NULL",
        "clip_checks(clip_id, who, text, words, marked, at)",
    ),
    # before slots: a gold clip gets none (the trigger in gold_sql.py), as on PostgreSQL
    (
        "gold",
        "SELECT clip_id, text, flags, added_at FROM gold",
        "gold(clip_id, text, flags, added_at)",
    ),
    (
        "slots",
        "SELECT id, 1, CASE status WHEN 'done' THEN 'done' WHEN 'skipped' THEN 'skipped'"
        " WHEN 'in_progress' THEN 'leased' ELSE 'open' END,"
        " CASE WHEN status IN ('done','skipped','in_progress') THEN annotator END,"
        " text, CASE WHEN status = 'skipped' THEN skip_reason END, seconds_on_clip,"
        " submitted_at, wer_edits, wer_words FROM clips",
        "slots(clip_id, n, state, annotator, text, skip_reason, seconds, submitted_at,"
        " wer_edits, wer_words)",
    ),
    (
        "revisions",
        "SELECT id, clip_id, status, text, skip_reason, annotator, seconds, at FROM revisions",
        "revisions(id, clip_id, status, text, skip_reason, annotator, seconds, at)",
    ),
    (
        "drafts",
        "SELECT clip_id, annotator, text, cursor, seconds, updated_at FROM drafts",
        "drafts(clip_id, annotator, text, cursor, seconds, updated_at)",
    ),
    ("lexicon", "SELECT term, batch_id FROM lexicon", "lexicon(term, batch_id)"),
    (
        "gold_answers",
        "SELECT clip_id, annotator, state, text, skip_reason, seconds, flags, wer_edits,"
        " ref_words, CASE WHEN flags_agree THEN 'true' ELSE 'false' END, served_at,"
        " submitted_at FROM gold_answers",
        "gold_answers(clip_id, annotator, state, text, skip_reason, seconds, flags,"
        " wer_edits, ref_words, flags_agree, served_at, submitted_at)",
    ),
    (
        "finals",
        "SELECT clip_id, text, set_by, set_at FROM finals",
        "finals(clip_id, text, set_by, set_at)",
    ),
    (
        "users",
        "SELECT name, joined_at, granted_by, granted_at FROM users",
        "users(name, joined_at, granted_by, granted_at)",
    ),
    (
        "flags",
        "SELECT id, clip_id, kind, start, end, category, redact, state, raised_by, raised_at,"
        " downgrade_requested_by, downgrade_requested_at, downgraded_by FROM flags",
        'flags(id, clip_id, kind, start, "end", category, redact, state, raised_by, raised_at,'
        " downgrade_requested_by, downgrade_requested_at, downgraded_by)",
    ),
    (
        "flag_notes",
        "SELECT id, raised_by, note FROM flags",
        "flag_notes(flag_id, raised_by, note)",
    ),
    (
        "escalations",
        "SELECT id, flag_id, clip_id, tier, category, start, end, note, state, raised_by,"
        " raised_at, deadline, acked_by, acked_at, proposed_outcome, proposed_note,"
        " proposed_by, proposed_at, outcome, outcome_note, resolved_by, resolved_at,"
        " confirmed_by FROM escalations",
        'escalations(id, flag_id, clip_id, tier, category, start, "end", note, state,'
        " raised_by, raised_at, deadline, acked_by, acked_at, proposed_outcome,"
        " proposed_note, proposed_by, proposed_at, outcome, outcome_note, resolved_by,"
        " resolved_at, confirmed_by)",
    ),
    (
        "audit",
        "SELECT seq, at, actor, action, clip, detail, prev_hash, hash FROM audit ORDER BY seq",
        "audit(seq, at, actor, action, clip, detail, prev_hash, hash)",
    ),
    (
        "plays",
        "SELECT id, user, clip_id, start, end, speed, at FROM plays",
        'plays(id, who, clip_id, start, "end", speed, at)',
    ),
    ("opt_outs", "SELECT user, category FROM opt_outs", "opt_outs(who, category)"),
]
_SERIALS = ("batches", "clips", "slots", "revisions", "flags", "escalations", "plays")
_META = (
    "wellbeing.soft_minutes",
    "wellbeing.hard_minutes",
    "wellbeing.break_text",
    "pseudonym_key_fingerprint",
)


@dataclass
class Copied:
    rows: dict[str, int] = field(default_factory=dict)
    roles: list[tuple[str, str]] = field(default_factory=list)
    skipped_tables: list[str] = field(default_factory=list)


def _read(src: sqlite3.Connection, query: str) -> Iterator[tuple[Any, ...]]:
    yield from src.execute(query)


def open_sqlite_readonly(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise UserError(f"--from {path}: no such SQLite file")
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        names = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise UserError(f"--from {path}: not an earmark database ({exc})") from None
    if not {"clips", "audit", "meta"} <= names:
        raise UserError(f"--from {path}: not an earmark database (no clips/audit tables)")
    return src


def _sqlite_key(path: Path, src: sqlite3.Connection) -> str | None:
    """The SQLite project's pseudonym key: its key file (DB.key, or $EARMARK_KEY), else the
    copy an older earmark kept inside the database."""
    key_file = Path(os.environ.get("EARMARK_KEY") or f"{path}.key")
    try:
        return key_file.read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        row = src.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        return str(row[0]) if row else None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"pseudonym key {key_file}: cannot read it ({exc})") from None


def copy_sqlite(path: Path, db: PgDatabase) -> Copied:
    """Copy the SQLite project at `path` into `db` (schema made; no clips, no audit yet).
    The file is first brought to this earmark's schema, as any command opening it would."""
    from earmark.store import open_store

    src = open_sqlite_readonly(path)
    src.close()
    open_store(path, create=False).close()
    src = open_sqlite_readonly(path)
    out = Copied()
    known = {t for t, _, _ in _TABLES} | {"meta", "migrations", "sqlite_sequence"}
    tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    out.skipped_tables = sorted(
        t for t in tables - known if src.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()
    )
    try:
        with db.tx() as c:
            c.execute(f"SET LOCAL ROLE {OWNER}")
            full = c.execute(
                "SELECT (SELECT count(*) FROM clips) + (SELECT count(*) FROM audit) AS n"
            ).fetchone()
            if full is not None and full["n"]:
                raise UserError(
                    f"--to {db.path} already holds a project: migrate into an empty one"
                )
            secret = _sqlite_key(path, src)
            if secret:
                c.execute("UPDATE secret SET key = %s WHERE id = 1", (secret,))
            for key in _META:
                row = src.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
                if row:
                    c.execute("INSERT INTO meta(key, value) VALUES (%s, %s)", (key, row[0]))
            for table, select, insert in _TABLES:
                source = {"slots": "clips", "flag_notes": "flags"}.get(table, table)
                if source not in tables:
                    continue
                n = insert.count(",") + 1
                sql = f"INSERT INTO {insert} VALUES ({', '.join(['%s'] * n)})"
                rows = list(_read(src, select))
                c.executemany(sql, rows)
                out.rows[table] = len(rows)
            for table in _SERIALS:
                c.execute(
                    f"SELECT setval(pg_get_serial_sequence('earmark.{table}', 'id'),"
                    f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
        if "users" in tables:
            out.roles = [(r[0], r[1]) for r in src.execute("SELECT name, role FROM users")]
    finally:
        src.close()
    return out
