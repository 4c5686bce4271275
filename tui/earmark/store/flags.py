"""Flags on clips (critical, distressing, escalation): what exports and stats read.

Every change is audited in the same transaction. A critical flag keeps its clip out of the
training export, so taking one back (a downgrade) follows the two-person rule: one reviewer
requests it, a different one confirms it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from earmark import redaction
from earmark.errors import UserError
from earmark.redaction import Mark
from earmark.roles import REVIEW_ROLES, require
from earmark.store.base import StoreBase
from earmark.store.records import CRITICAL_CATEGORIES, FLAG_KINDS, Flag, warning_for
from earmark.textsafe import clean

__all__ = ["CRITICAL_CATEGORIES", "FLAG_KINDS", "Flag", "FlagsMixin", "warning_for"]


def _flag(row: sqlite3.Row) -> Flag:
    keys: list[str] = row.keys()
    return Flag(
        id=row["id"],
        clip_id=row["clip_id"],
        kind=row["kind"],
        start=row["start"],
        end=row["end"],
        category=row["category"],
        note=row["note"],
        redact=tuple(json.loads(row["redact"])) if row["redact"] else (),
        state=row["state"],
        raised_by=row["raised_by"],
        raised_at=row["raised_at"],
        **{k: row[k] for k in _DOWNGRADE_COLUMNS if k in keys},
    )


_DOWNGRADE_COLUMNS = ("downgrade_requested_by", "downgrade_requested_at", "downgraded_by")
_UPDATABLE = ("start", "end", "category", "note", "redact")
MAX_FLAG_NOTE = 500


def _forget_marked_words(c: sqlite3.Connection, clip_id: int, marks: list[Mark]) -> None:
    """Words learned from this clip before they were marked leave the suggestion index."""
    keys = {m.word for m in marks} | {redaction.folded(m.word) for m in marks}
    tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not keys or "clip_words" not in tables:
        return
    for k in keys:
        row = c.execute(
            "SELECT uses FROM clip_words WHERE clip_id = ? AND key = ?", (clip_id, k)
        ).fetchone()
        if row is None:
            continue
        c.execute(
            "UPDATE word_index SET uses = uses - ?, clips = clips - 1 WHERE key = ?", (row[0], k)
        )
        c.execute("DELETE FROM clip_words WHERE clip_id = ? AND key = ?", (clip_id, k))
    c.execute("DELETE FROM word_index WHERE clips <= 0")


class FlagsMixin(StoreBase):
    def add_flag(
        self,
        clip_id: int,
        kind: str,
        raised_by: str,
        *,
        start: float | None = None,
        end: float | None = None,
        category: str | None = None,
        note: str = "",
        redact: list[int] | None = None,
    ) -> int:
        if kind not in FLAG_KINDS:
            raise ValueError(f"unknown flag kind {kind!r}")
        if kind == "critical" and category is not None and category not in CRITICAL_CATEGORIES:
            raise UserError(
                f"unknown category {category!r} (choose {', '.join(CRITICAL_CATEGORIES)})"
            )
        if start is not None and end is not None and end < start:
            start, end = end, start
        note = clean(note, max_len=MAX_FLAG_NOTE).strip()
        with self._tx() as c:
            self._ensure_user(c, raised_by)
            cur = c.execute(
                "INSERT INTO flags(clip_id, kind, start, end, category, note, redact, raised_by,"
                " raised_at)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    clip_id,
                    kind,
                    start,
                    end,
                    category,
                    note,
                    json.dumps(sorted(set(redact))) if redact else None,
                    raised_by,
                    self.db.clock.now(),
                ),
            )
            self.audit_append(
                raised_by,
                "flag",
                clip_id,
                {
                    "flag": cur.lastrowid,
                    "kind": kind,
                    "start": start,
                    "end": end,
                    "category": category,
                    "redact_words": len(set(redact)) if redact else 0,
                },
            )
            return int(cur.lastrowid or 0)

    def flag(self, flag_id: int) -> Flag | None:
        row = self.db.query_one("SELECT * FROM flags WHERE id = ?", (flag_id,))
        return _flag(row) if row else None

    def update_flag(self, flag_id: int, *, actor: str | None = None, **fields: Any) -> Flag:
        """Refine a flag already recorded (span, category, note, words to redact)."""
        unknown = set(fields) - set(_UPDATABLE)
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))} on a flag")
        flag = self.flag(flag_id)
        if flag is None:
            raise UserError(f"no flag {flag_id}")
        if (
            "category" in fields
            and flag.kind == "critical"
            and fields["category"] is not None
            and fields["category"] not in CRITICAL_CATEGORIES
        ):
            raise UserError(f"unknown category {fields['category']!r}")
        values = dict(fields)
        if "note" in values:
            values["note"] = clean(values["note"] or "", max_len=MAX_FLAG_NOTE).strip()
        if "redact" in values:
            values["redact"] = (
                json.dumps(sorted(set(values["redact"]))) if values["redact"] else None
            )
        start = values.get("start", flag.start)
        end = values.get("end", flag.end)
        if start is not None and end is not None and end < start:
            values["start"], values["end"] = end, start
        if not values:
            return flag
        actor = actor or flag.raised_by
        with self._tx() as c:
            sets = ", ".join(f"{k} = ?" for k in values)
            c.execute(f"UPDATE flags SET {sets} WHERE id = ?", (*values.values(), flag_id))
            detail: dict[str, Any] = {
                "flag": flag_id,
                "kind": flag.kind,
                "changed": sorted(values),
            }
            for k in ("start", "end", "category"):
                if k in values:
                    detail[k] = values[k]
            if "redact" in fields:
                detail["redact_words"] = len(set(fields["redact"] or ()))
            self.audit_append(actor, "flag_update", flag.clip_id, detail)
        updated = self.flag(flag_id)
        assert updated is not None  # updated just above; flags are never deleted here
        return updated

    # -- downgrading a critical flag: the two-person rule ---------------------------------
    def request_downgrade(self, flag_id: int, user: str) -> None:
        with self._tx() as c:
            require(user, self._ensure_user(c, user), REVIEW_ROLES, "downgrade critical flags")
            flag = self.flag(flag_id)
            if flag is None or flag.kind != "critical":
                raise UserError(f"no critical flag {flag_id}")
            if flag.state != "active":
                raise UserError(f"flag {flag_id} is already downgraded")
            if flag.downgrade_requested_by:
                raise UserError(
                    f"flag {flag_id}: {flag.downgrade_requested_by} already asked; "
                    "a second reviewer confirms"
                )
            c.execute(
                "UPDATE flags SET downgrade_requested_by = ?, downgrade_requested_at = ?"
                " WHERE id = ?",
                (user, self.db.clock.now(), flag_id),
            )
            self.audit_append(user, "flag_downgrade_request", flag.clip_id, {"flag": flag_id})

    def confirm_downgrade(self, flag_id: int, user: str) -> None:
        with self._tx() as c:
            require(user, self._ensure_user(c, user), REVIEW_ROLES, "confirm downgrades")
            flag = self.flag(flag_id)
            if (
                flag is None
                or flag.kind != "critical"
                or flag.state != "active"
                or not flag.downgrade_requested_by
            ):
                raise UserError(f"flag {flag_id} has no downgrade awaiting confirmation")
            if flag.downgrade_requested_by == user:
                raise UserError(
                    f"flag {flag_id}: a second reviewer must confirm ({user} asked for it)"
                )
            c.execute(
                "UPDATE flags SET state = 'downgraded', downgraded_by = ? WHERE id = ?",
                (user, flag_id),
            )
            self.audit_append(
                user,
                "flag_downgrade",
                flag.clip_id,
                {"flag": flag_id, "requested_by": flag.downgrade_requested_by},
            )

    def cancel_downgrade(self, flag_id: int, user: str) -> None:
        with self._tx() as c:
            require(user, self._ensure_user(c, user), REVIEW_ROLES, "decline downgrades")
            flag = self.flag(flag_id)
            if flag is None or not flag.downgrade_requested_by or flag.state != "active":
                raise UserError(f"flag {flag_id} has no downgrade awaiting confirmation")
            c.execute(
                "UPDATE flags SET downgrade_requested_by = NULL, downgrade_requested_at = NULL"
                " WHERE id = ?",
                (flag_id,),
            )
            self.audit_append(user, "flag_downgrade_decline", flag.clip_id, {"flag": flag_id})

    def critical_flags(self, *, include_downgraded: bool = False) -> list[Flag]:
        q = "SELECT * FROM flags WHERE kind = 'critical'"
        if not include_downgraded:
            q += " AND state = 'active'"
        return [_flag(r) for r in self.db.query(q + " ORDER BY raised_at DESC, id DESC")]

    def content_warning(self, clip_id: int) -> str | None:
        """What anyone opening this clip should read first (and why it does not autoplay)."""
        kinds = {
            r[0]
            for r in self.db.query(
                "SELECT DISTINCT kind FROM flags WHERE clip_id = ? AND state = 'active'"
                " AND kind IN ('distressing','escalation')",
                (clip_id,),
            )
        }
        return warning_for(kinds)

    def flags_for_clip(self, clip_id: int, *, include_downgraded: bool = False) -> list[Flag]:
        q = "SELECT * FROM flags WHERE clip_id = ?"
        if not include_downgraded:
            q += " AND state = 'active'"
        return [_flag(r) for r in self.db.query(q + " ORDER BY id", (clip_id,))]

    def flag_counts(self) -> dict[str, int]:
        """Clips carrying each kind of active flag."""
        counts = dict.fromkeys(FLAG_KINDS, 0)
        for kind, n in self.db.query(
            "SELECT kind, count(DISTINCT clip_id) FROM flags WHERE state = 'active' GROUP BY kind"
        ):
            counts[kind] = n
        return counts

    def critical_clip_ids(self) -> set[int]:
        return {
            r[0]
            for r in self.db.query(
                "SELECT DISTINCT clip_id FROM flags WHERE kind = 'critical' AND state = 'active'"
            )
        }

    # -- redaction marks: words, not positions (earmark/redaction.py) ----------------------
    def set_redaction(self, flag_id: int, marks: Iterable[Mark], *, actor: str) -> None:
        """Store the words a critical flag redacts; the audit entry counts them, never names
        them (the words are the personal data)."""
        stored = redaction.dumps(marks)
        with self._tx() as c:
            row = c.execute("SELECT clip_id, kind FROM flags WHERE id = ?", (flag_id,)).fetchone()
            if row is None:
                raise UserError(f"no flag {flag_id}")
            c.execute("UPDATE flags SET redact_words = ? WHERE id = ?", (stored, flag_id))
            _forget_marked_words(c, row[0], redaction.loads(stored))
            self.audit_append(
                actor,
                "flag_redaction",
                row[0],
                {"flag": flag_id, "kind": row[1], "redact_words": len(redaction.loads(stored))},
            )

    def redaction_marks(self, flag_id: int) -> list[Mark] | None:
        """The flag's marks; None when it was never given word marks (only positions)."""
        row = self.db.query_one("SELECT redact_words FROM flags WHERE id = ?", (flag_id,))
        if row is None or row[0] is None:
            return None
        return redaction.loads(row[0])

    def redaction_marks_for_clip(self, clip_id: int) -> list[Mark]:
        """Every mark of the clip's active critical flags: what the annotator is asked about
        at submit when one no longer points at a word (`redaction.unanchored`)."""
        rows = self.db.query(
            "SELECT redact_words FROM flags WHERE clip_id = ? AND kind = 'critical'"
            " AND state = 'active' AND redact_words IS NOT NULL",
            (clip_id,),
        )
        return sorted({m for r in rows for m in redaction.loads(r[0])})

    def redaction_marks_by_flag(self) -> dict[int, list[Mark]]:
        """Marks of every active critical flag that has them, for exports."""
        rows = self.db.query(
            "SELECT id, redact_words FROM flags WHERE kind = 'critical' AND state = 'active'"
            " AND redact_words IS NOT NULL"
        )
        return {r[0]: redaction.loads(r[1]) for r in rows}

    def flags_by_clip(self) -> dict[int, list[Flag]]:
        """All active flags grouped by clip, for exports (flags are few next to clips)."""
        out: dict[int, list[Flag]] = {}
        for r in self.db.query("SELECT * FROM flags WHERE state = 'active' ORDER BY clip_id, id"):
            out.setdefault(r["clip_id"], []).append(_flag(r))
        return out
