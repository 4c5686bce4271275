"""Flags on clips (critical, distressing, escalation): what exports and stats read."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tui.store.db import Database

FLAG_KINDS = ("critical", "distressing", "escalation")
CRITICAL_CATEGORIES = ("bank/card", "password/PIN", "address", "phone/email", "health", "government id", "other")


@dataclass(frozen=True)
class Flag:
    id: int
    clip_id: int
    kind: str
    start: float | None
    end: float | None
    category: str | None
    note: str
    redact: tuple[int, ...]
    state: str
    raised_by: str
    raised_at: float

    def export(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end,
                "category": self.category, "note": self.note}


def _flag(row) -> Flag:
    return Flag(
        id=row["id"], clip_id=row["clip_id"], kind=row["kind"], start=row["start"], end=row["end"],
        category=row["category"], note=row["note"],
        redact=tuple(json.loads(row["redact"])) if row["redact"] else (),
        state=row["state"], raised_by=row["raised_by"], raised_at=row["raised_at"],
    )


class FlagsMixin:
    db: Database

    def add_flag(
        self, clip_id: int, kind: str, raised_by: str, *, start: float | None = None,
        end: float | None = None, category: str | None = None, note: str = "",
        redact: list[int] | None = None,
    ) -> int:
        if kind not in FLAG_KINDS:
            raise ValueError(f"unknown flag kind {kind!r}")
        with self.db.write() as c:
            cur = c.execute(
                "INSERT INTO flags(clip_id, kind, start, end, category, note, redact, raised_by, raised_at)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (clip_id, kind, start, end, category, note,
                 json.dumps(sorted(set(redact))) if redact else None, raised_by, self.db.clock.now()),
            )
            return cur.lastrowid

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
        return {r[0] for r in self.db.query(
            "SELECT DISTINCT clip_id FROM flags WHERE kind = 'critical' AND state = 'active'")}

    def flags_by_clip(self) -> dict[int, list[Flag]]:
        """All active flags grouped by clip, for exports (flags are few next to clips)."""
        out: dict[int, list[Flag]] = {}
        for r in self.db.query("SELECT * FROM flags WHERE state = 'active' ORDER BY clip_id, id"):
            out.setdefault(r["clip_id"], []).append(_flag(r))
        return out
