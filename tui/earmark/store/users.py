"""Users and roles, the lead's wellbeing settings, opt-outs and exposure: the people half.

Roles live in the database so that every earmark process on a shared file agrees on them;
see earmark/roles.py for what they can and cannot protect against.
"""

from __future__ import annotations

from typing import Any

from earmark import roles as roles_mod
from earmark.errors import UserError
from earmark.store.base import StoreBase
from earmark.store.records import User, WellbeingSettings

_META_KEYS = {
    "soft_minutes": "wellbeing.soft_minutes",
    "hard_minutes": "wellbeing.hard_minutes",
    "break_text": "wellbeing.break_text",
}
MAX_BREAK_TEXT = 600


class UsersMixin(StoreBase):
    # -- roles --------------------------------------------------------------------------
    def name_lead_if_none(self, name: str) -> bool:
        """Make `name` lead when the database has no lead yet: `earmark init` and an import
        that completes name the lead explicitly, so nobody becomes lead by coming next."""
        with self._tx() as c:
            was = self._ensure_user(c, name)
            if c.execute("SELECT count(*) FROM users WHERE role = 'lead'").fetchone()[0]:
                return False
            now = self.db.clock.now()
            c.execute(
                "UPDATE users SET role = 'lead', granted_by = ?, granted_at = ? WHERE name = ?",
                (name, now, name),
            )
            self.audit_append(
                name, "role_grant", None, {"user": name, "role": "lead", "was": was, "first": True}
            )
            return True

    def role_of(self, name: str) -> str | None:
        row = self.db.query_one("SELECT role FROM users WHERE name = ?", (name,))
        return row[0] if row else None

    def users(self) -> list[User]:
        return [
            User(*r)
            for r in self.db.query(
                "SELECT name, role, joined_at, granted_by, granted_at FROM users"
                " ORDER BY joined_at, name"
            )
        ]

    def grant_role(self, actor: str, name: str, role: str) -> None:
        """Lead only. A database always keeps at least one lead."""
        roles_mod.check_role(role)
        name = name.strip()
        if not name or any(ch.isspace() for ch in name) or len(name) > 64:
            raise UserError(f"{name!r} is not a user name (one word, up to 64 characters)")
        with self._tx() as c:
            roles_mod.require(actor, self._ensure_user(c, actor), ("lead",), "grant roles")
            old = c.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
            old_role = old[0] if old else None
            if old_role == "lead" and role != "lead":
                leads = c.execute("SELECT count(*) FROM users WHERE role = 'lead'").fetchone()[0]
                if leads <= 1:
                    raise UserError(f"{name} is the only lead: grant another lead first")
            now = self.db.clock.now()
            c.execute(
                "INSERT INTO users(name, role, joined_at, granted_by, granted_at)"
                " VALUES (?,?,?,?,?)"
                " ON CONFLICT(name) DO UPDATE SET role = excluded.role,"
                " granted_by = excluded.granted_by, granted_at = excluded.granted_at",
                (name, role, now, actor, now),
            )
            self.audit_append(
                actor, "role_grant", None, {"user": name, "role": role, "was": old_role}
            )

    # -- the lead's wellbeing settings --------------------------------------------------
    def wellbeing_settings(self) -> WellbeingSettings:
        """The lead's limits in minutes (None where unset) and their break text."""
        keys = [_META_KEYS[k] for k in ("soft_minutes", "hard_minutes", "break_text")]
        rows = self.db.query("SELECT key, value FROM meta WHERE key IN (?,?,?)", tuple(keys))
        got = {str(r[0]): r[1] for r in rows}  # one query: this is read at every clip
        soft, hard, text = (got.get(k) for k in keys)
        return WellbeingSettings(
            soft_minutes=float(soft) if soft is not None else None,
            hard_minutes=float(hard) if hard is not None else None,
            break_text=str(text) if text is not None else None,
        )

    def set_wellbeing(
        self,
        actor: str,
        *,
        soft_minutes: float | None = None,
        hard_minutes: float | None = None,
        break_text: str | None = None,
    ) -> None:
        from earmark.textsafe import clean

        limits = {"soft_minutes": soft_minutes, "hard_minutes": hard_minutes}
        for key, limit in limits.items():
            if limit is not None and not (0 < float(limit) <= 24 * 60):
                raise UserError(f"{key.replace('_', ' ')} must be between 0 and 1440 minutes")
        text = clean(break_text, max_len=MAX_BREAK_TEXT) if break_text is not None else None
        with self._tx() as c:
            roles_mod.require(actor, self._ensure_user(c, actor), ("lead",), "set wellbeing limits")
            current = self.wellbeing_settings()
            soft = soft_minutes if soft_minutes is not None else current["soft_minutes"]
            hard = hard_minutes if hard_minutes is not None else current["hard_minutes"]
            if soft is not None and hard is not None and soft > hard:
                raise UserError("the soft limit must not be above the hard limit")
            values: dict[str, float | str | None] = {**limits, "break_text": text}
            changed = []
            for key, value in values.items():
                if value is None:
                    continue
                changed.append(key)
                c.execute(
                    "INSERT INTO meta(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (_META_KEYS[key], str(value)),
                )
            if changed:
                detail: dict[str, Any] = {k: values[k] for k in changed if k != "break_text"}
                detail["changed"] = changed
                self.audit_append(actor, "wellbeing_set", None, detail)

    # -- opt-outs (no reason asked, not audited: they are the annotator's own business) -----
    def opt_outs(self, user: str) -> set[str]:
        return {
            r[0] for r in self.db.query("SELECT category FROM opt_outs WHERE user = ?", (user,))
        }

    def set_opt_out(self, user: str, category: str, opted_out: bool = True) -> None:
        from earmark.wellbeing import OPT_OUT_CATEGORIES

        if category not in OPT_OUT_CATEGORIES:
            raise UserError(
                f"unknown category {category!r} (choose {', '.join(OPT_OUT_CATEGORIES)})"
            )
        with self._tx() as c:
            if opted_out:
                c.execute(
                    "INSERT OR IGNORE INTO opt_outs(user, category) VALUES (?, ?)", (user, category)
                )
            else:
                c.execute("DELETE FROM opt_outs WHERE user = ? AND category = ?", (user, category))

    # -- exposure and routing ------------------------------------------------------------
    def exposure_seconds(self, user: str, since: float) -> float:
        """Listening time since `since` on clips flagged distressing or escalated (by anyone,
        before or after the listening): what the exposure meter counts."""
        row = self.db.query_one(
            "SELECT COALESCE(sum((p.end - p.start) / p.speed), 0) FROM plays p"
            " WHERE p.user = ? AND p.at >= ? AND p.clip_id IN (SELECT clip_id FROM flags"
            "  WHERE kind IN ('distressing','escalation') AND state = 'active')",
            (user, since),
        )
        return float(row[0]) if row else 0.0

    def routed_away_clip_ids(self, user: str, *, at_hard_limit: bool) -> set[int]:
        """Clips this user should not be given: flagged by others with a category the user
        opted out of, or (at the hard exposure limit) flagged distressing/escalated at all."""
        rows = self.db.query(
            "SELECT DISTINCT f.clip_id FROM flags f WHERE f.state = 'active' AND f.raised_by != :u"
            " AND f.kind IN ('distressing','escalation') AND ("
            "   :hard"
            "   OR f.category IN (SELECT category FROM opt_outs WHERE user = :u)"
            "   OR (f.kind = 'distressing' AND EXISTS (SELECT 1 FROM opt_outs"
            "       WHERE user = :u AND category = 'distressing'))"
            " )",
            {"u": user, "hard": 1 if at_hard_limit else 0},
        )
        return {r[0] for r in rows}
