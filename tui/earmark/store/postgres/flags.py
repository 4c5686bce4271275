"""Flags on PostgreSQL. A flag's note lives in `flag_notes`, which row-level security shows
only to its author and to reviewers; everyone sees that a clip is flagged (content warnings,
routing). Downgrading a critical flag takes two different authenticated reviewers: the
acting columns must name the session user (a trigger) and must differ (a CHECK)."""

from __future__ import annotations

import json
from typing import Any

from earmark.errors import UserError
from earmark.roles import REVIEW_ROLES
from earmark.store.flags import _UPDATABLE, MAX_FLAG_NOTE
from earmark.store.postgres.people import PgPeopleMixin
from earmark.store.records import CRITICAL_CATEGORIES, FLAG_KINDS, Flag, warning_for
from earmark.textsafe import clean

_SELECT = (
    "SELECT f.id, f.clip_id, f.kind, f.start, f.\"end\", f.category, coalesce(n.note, '') AS note,"
    " f.redact, f.state, f.raised_by, f.raised_at, f.downgrade_requested_by,"
    " f.downgrade_requested_at, f.downgraded_by"
    " FROM flags f LEFT JOIN flag_notes n ON n.flag_id = f.id"
)


def _flag(row: dict[str, Any]) -> Flag:
    row = dict(row)
    row["redact"] = tuple(json.loads(row["redact"])) if row["redact"] else ()
    return Flag(**row)


class PgFlagsMixin(PgPeopleMixin):
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
        self.ensure_user(raised_by)
        if start is not None and end is not None and end < start:
            start, end = end, start
        note = clean(note, max_len=MAX_FLAG_NOTE).strip()
        with self.db.tx() as c:
            row = c.execute(
                'INSERT INTO flags(clip_id, kind, start, "end", category, redact, raised_at)'
                " VALUES (%s,%s,%s,%s,%s,%s,%s) RETURNING id",
                (
                    clip_id,
                    kind,
                    start,
                    end,
                    category,
                    json.dumps(sorted(set(redact))) if redact else None,
                    self.db.clock.now(),
                ),
            ).fetchone()
            assert row is not None
            flag_id = int(row["id"])
            c.execute("INSERT INTO flag_notes(flag_id, note) VALUES (%s, %s)", (flag_id, note))
            self.audit_append(
                raised_by,
                "flag",
                clip_id,
                {
                    "flag": flag_id,
                    "kind": kind,
                    "start": start,
                    "end": end,
                    "category": category,
                    "redact_words": len(set(redact)) if redact else 0,
                },
            )
            return flag_id

    def flag(self, flag_id: int) -> Flag | None:
        row = self.db.query_one(_SELECT + " WHERE f.id = %s", (flag_id,))
        return _flag(row) if row else None

    def update_flag(self, flag_id: int, *, actor: str | None = None, **fields: Any) -> Flag:
        unknown = set(fields) - set(_UPDATABLE)
        if unknown:
            raise ValueError(f"cannot update {', '.join(sorted(unknown))} on a flag")
        flag = self.flag(flag_id)
        if flag is None:
            raise UserError(f"no flag {flag_id}")
        actor = self._as(actor)
        values = dict(fields)
        category = values.get("category")
        if category is not None and flag.kind == "critical" and category not in CRITICAL_CATEGORIES:
            raise UserError(f"unknown category {category!r}")
        if "redact" in values:
            values["redact"] = (
                json.dumps(sorted(set(values["redact"]))) if values["redact"] else None
            )
        start, end = values.get("start", flag.start), values.get("end", flag.end)
        if start is not None and end is not None and end < start:
            values["start"], values["end"] = end, start
        if not values:
            return flag
        note = values.pop("note", None)
        with self.db.tx() as c:
            if values:
                sets = ", ".join(f'"{k}" = %s' for k in values)
                cur = c.execute(
                    f"UPDATE flags SET {sets} WHERE id = %s", (*values.values(), flag_id)
                )
                if cur.rowcount == 0:
                    raise UserError(f"flag {flag_id} is not yours to change")
            if note is not None:
                c.execute(
                    "UPDATE flag_notes SET note = %s WHERE flag_id = %s",
                    (clean(note or "", max_len=MAX_FLAG_NOTE).strip(), flag_id),
                )
            detail: dict[str, Any] = {"flag": flag_id, "kind": flag.kind}
            detail["changed"] = sorted([*values, *(["note"] if note is not None else [])])
            for k in ("start", "end", "category"):
                if k in values:
                    detail[k] = values[k]
            if "redact" in fields:
                detail["redact_words"] = len(set(fields["redact"] or ()))
            self.audit_append(actor, "flag_update", flag.clip_id, detail)
        found = self.flag(flag_id)
        assert found is not None
        return found

    def _critical(self, flag_id: int, user: str, doing: str) -> Flag:
        self.require_role(user, REVIEW_ROLES, doing)
        flag = self.flag(flag_id)
        if flag is None or flag.kind != "critical":
            raise UserError(f"no critical flag {flag_id}")
        return flag

    def request_downgrade(self, flag_id: int, user: str) -> None:
        flag = self._critical(flag_id, user, "downgrade critical flags")
        if flag.state != "active":
            raise UserError(f"flag {flag_id} is already downgraded")
        if flag.downgrade_requested_by:
            raise UserError(
                f"flag {flag_id}: {flag.downgrade_requested_by} already asked;"
                " a second reviewer confirms"
            )
        with self.db.tx() as c:
            c.execute(
                "UPDATE flags SET downgrade_requested_by = session_user,"
                " downgrade_requested_at = %s WHERE id = %s",
                (self.db.clock.now(), flag_id),
            )
            self.audit_append(user, "flag_downgrade_request", flag.clip_id, {"flag": flag_id})

    def confirm_downgrade(self, flag_id: int, user: str) -> None:
        flag = self._critical(flag_id, user, "confirm downgrades")
        if flag.state != "active" or not flag.downgrade_requested_by:
            raise UserError(f"flag {flag_id} has no downgrade awaiting confirmation")
        if flag.downgrade_requested_by == self.me:
            raise UserError(f"flag {flag_id}: a second reviewer must confirm ({user} asked)")
        with self.db.tx() as c:
            c.execute(
                "UPDATE flags SET state = 'downgraded', downgraded_by = session_user WHERE id = %s",
                (flag_id,),
            )
            self.audit_append(
                user,
                "flag_downgrade",
                flag.clip_id,
                {"flag": flag_id, "requested_by": flag.downgrade_requested_by},
            )

    def cancel_downgrade(self, flag_id: int, user: str) -> None:
        flag = self._critical(flag_id, user, "decline downgrades")
        if not flag.downgrade_requested_by or flag.state != "active":
            raise UserError(f"flag {flag_id} has no downgrade awaiting confirmation")
        with self.db.tx() as c:
            c.execute(
                "UPDATE flags SET downgrade_requested_by = NULL, downgrade_requested_at = NULL"
                " WHERE id = %s",
                (flag_id,),
            )
            self.audit_append(user, "flag_downgrade_decline", flag.clip_id, {"flag": flag_id})

    # -- reading ----------------------------------------------------------------------------
    def critical_flags(self, *, include_downgraded: bool = False) -> list[Flag]:
        q = _SELECT + " WHERE f.kind = 'critical'"
        if not include_downgraded:
            q += " AND f.state = 'active'"
        return [_flag(r) for r in self.db.query(q + " ORDER BY f.raised_at DESC, f.id DESC")]

    def content_warning(self, clip_id: int) -> str | None:
        rows = self.db.query(
            "SELECT DISTINCT kind FROM flags WHERE clip_id = %s AND state = 'active'"
            " AND kind IN ('distressing','escalation')",
            (clip_id,),
        )
        return warning_for({r["kind"] for r in rows})

    def flags_for_clip(self, clip_id: int, *, include_downgraded: bool = False) -> list[Flag]:
        q = _SELECT + " WHERE f.clip_id = %s"
        if not include_downgraded:
            q += " AND f.state = 'active'"
        return [_flag(r) for r in self.db.query(q + " ORDER BY f.id", (clip_id,))]

    def flag_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(FLAG_KINDS, 0)
        for r in self.db.query(
            "SELECT kind, count(DISTINCT clip_id) AS n FROM flags WHERE state = 'active'"
            " GROUP BY kind"
        ):
            counts[r["kind"]] = int(r["n"])
        return counts

    def critical_clip_ids(self) -> set[int]:
        rows = self.db.query(
            "SELECT DISTINCT clip_id FROM flags WHERE kind = 'critical' AND state = 'active'"
        )
        return {int(r["clip_id"]) for r in rows}

    def flags_by_clip(self) -> dict[int, list[Flag]]:
        out: dict[int, list[Flag]] = {}
        for r in self.db.query(_SELECT + " WHERE f.state = 'active' ORDER BY f.clip_id, f.id"):
            out.setdefault(r["clip_id"], []).append(_flag(r))
        return out
