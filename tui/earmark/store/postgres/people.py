"""Users and roles on PostgreSQL: a role is membership of a group role, granted by GRANT.

`earmark roles grant` runs GRANT itself, so PostgreSQL refuses it to anyone without the
admin option on the group (leads have it); the `users` table only remembers when someone
first appeared and who granted what, for the listing.
"""

from __future__ import annotations

from typing import Any

from psycopg import sql

from earmark import roles as roles_mod
from earmark.errors import UserError
from earmark.store.postgres.base import PgBase
from earmark.store.records import User, WellbeingSettings
from earmark.store.users import MAX_BREAK_TEXT

_ROLE_OF = """
SELECT CASE WHEN pg_has_role(r.oid, 'earmark_lead', 'MEMBER') THEN 'lead'
            WHEN pg_has_role(r.oid, 'earmark_reviewer', 'MEMBER') THEN 'reviewer'
            WHEN pg_has_role(r.oid, 'earmark_annotator', 'MEMBER') THEN 'annotator' END AS role
FROM pg_roles r WHERE r.rolname = %s
"""
_META_KEYS = {
    "soft_minutes": "wellbeing.soft_minutes",
    "hard_minutes": "wellbeing.hard_minutes",
    "break_text": "wellbeing.break_text",
}


class PgPeopleMixin(PgBase):
    def role_of(self, name: str) -> str | None:
        row = self.db.query_one(_ROLE_OF, (name,))
        return row["role"] if row else None

    def ensure_user(self, name: str) -> str:
        """The user's role; someone PostgreSQL lets in but no lead has granted a role is
        refused with what to ask for."""
        me = self._as(name)
        role = self.role_of(me)
        if role is None:
            raise roles_mod.PermissionDenied(
                f"{me} has no earmark role on this database: a lead runs"
                f" `earmark roles grant {me} annotator`"
            )
        with self.db.tx() as c:
            row = c.execute(
                "INSERT INTO users(name, joined_at) VALUES (%s, %s)"
                " ON CONFLICT (name) DO NOTHING RETURNING name",
                (me, self.db.clock.now()),
            ).fetchone()
            if row is not None:
                self.audit_append(me, "user_join", None, {"role": role, "first_user": False})
        return role

    def require_role(self, user: str, allowed: tuple[str, ...], doing: str) -> str:
        role = self.ensure_user(user)
        roles_mod.require(user, role, allowed, doing)
        return role

    def users(self) -> list[User]:
        rows = self.db.query(
            "SELECT r.rolname AS name, u.joined_at, u.granted_by, u.granted_at,"
            " CASE WHEN pg_has_role(r.oid, 'earmark_lead', 'MEMBER') THEN 'lead'"
            "      WHEN pg_has_role(r.oid, 'earmark_reviewer', 'MEMBER') THEN 'reviewer'"
            "      ELSE 'annotator' END AS role"
            " FROM pg_roles r LEFT JOIN users u ON u.name = r.rolname"
            " WHERE r.rolcanlogin AND pg_has_role(r.oid, 'earmark_annotator', 'MEMBER')"
            " AND (u.name IS NOT NULL OR NOT r.rolsuper)"
            " ORDER BY u.joined_at NULLS LAST, r.rolname"
        )
        return [
            User(
                name=r["name"],
                role=r["role"],
                joined_at=r["joined_at"] or r["granted_at"] or 0.0,
                granted_by=r["granted_by"],
                granted_at=r["granted_at"],
            )
            for r in rows
        ]

    def grant_role(self, actor: str, name: str, role: str) -> None:
        """GRANT the group role (and REVOKE the others). PostgreSQL itself refuses anyone
        without the admin option on the group: only leads have it."""
        me = self._as(actor)
        roles_mod.check_role(role)
        name = name.strip()
        exists = self.db.query_one("SELECT 1 AS x FROM pg_roles WHERE rolname = %s", (name,))
        if not name or exists is None:
            raise UserError(
                f"no PostgreSQL role {name!r}: create the login first (createuser {name})"
            )
        old = self.role_of(name)
        order = roles_mod.ROLES
        with self.db.tx() as c:
            if old == "lead" and role != "lead":
                leads = c.execute(
                    "SELECT count(*) AS n FROM pg_auth_members m JOIN pg_roles g"
                    " ON g.oid = m.roleid AND g.rolname = 'earmark_lead'"
                ).fetchone()
                if leads is not None and leads["n"] <= 1:
                    raise UserError(f"{name} is the only lead: grant another lead first")
            who = sql.Identifier(name)
            admin = sql.SQL(" WITH ADMIN OPTION" if role == "lead" else "")
            c.execute(
                sql.SQL("GRANT {} TO {}{}").format(sql.Identifier(f"earmark_{role}"), who, admin)
            )
            held = {
                r["rolname"]
                for r in c.execute(
                    "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                    " JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = %s",
                    (name,),
                )
            }
            for higher in order[order.index(role) + 1 :]:
                if f"earmark_{higher}" in held:
                    c.execute(
                        sql.SQL("REVOKE {} FROM {}").format(
                            sql.Identifier(f"earmark_{higher}"), who
                        )
                    )
            now = self.db.clock.now()
            c.execute(
                "INSERT INTO users(name, joined_at, granted_by, granted_at)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET"
                " granted_by = excluded.granted_by, granted_at = excluded.granted_at",
                (name, now, me, now),
            )
            self.audit_append(me, "role_grant", None, {"user": name, "role": role, "was": old})

    # -- the lead's wellbeing settings (PostgreSQL lets only leads write meta) -------------
    def wellbeing_settings(self) -> WellbeingSettings:
        keys = {k: _META_KEYS[k] for k in ("soft_minutes", "hard_minutes", "break_text")}
        rows = self.db.query(
            "SELECT key, value FROM meta WHERE key = ANY(%s)", (list(keys.values()),)
        )  # one round trip: this is read at every clip
        got = {r["key"]: r["value"] for r in rows}

        def number(key: str) -> float | None:
            value = got.get(keys[key])
            return float(value) if value is not None else None

        text = got.get(keys["break_text"])
        return {
            "soft_minutes": number("soft_minutes"),
            "hard_minutes": number("hard_minutes"),
            "break_text": str(text) if text is not None else None,
        }

    def set_wellbeing(
        self,
        actor: str,
        *,
        soft_minutes: float | None = None,
        hard_minutes: float | None = None,
        break_text: str | None = None,
    ) -> None:
        from earmark.textsafe import clean

        self.require_role(actor, ("lead",), "set wellbeing limits")
        values: dict[str, Any] = {
            "soft_minutes": soft_minutes,
            "hard_minutes": hard_minutes,
            "break_text": clean(break_text, max_len=MAX_BREAK_TEXT)
            if break_text is not None
            else None,
        }
        for key in ("soft_minutes", "hard_minutes"):
            if values[key] is not None and not (0 < float(values[key]) <= 24 * 60):
                raise UserError(f"{key.replace('_', ' ')} must be between 0 and 1440 minutes")
        current: dict[str, Any] = dict(self.wellbeing_settings())
        merged = {k: (v if v is not None else current[k]) for k, v in values.items()}
        soft, hard = merged["soft_minutes"], merged["hard_minutes"]
        if soft is not None and hard is not None and soft > hard:
            raise UserError("the soft limit must not be above the hard limit")
        changed = [k for k, v in values.items() if v is not None]
        with self.db.tx() as c:
            for key in changed:
                c.execute(
                    "INSERT INTO meta(key, value) VALUES (%s, %s)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (_META_KEYS[key], str(values[key])),
                )
            if changed:
                detail = {k: values[k] for k in changed if k != "break_text"}
                detail["changed"] = changed
                self.audit_append(actor, "wellbeing_set", None, detail)

    # -- opt-outs: the annotator's own business, visible only to them --------------------
    def opt_outs(self, user: str) -> set[str]:
        rows = self.db.query("SELECT category FROM opt_outs WHERE who = %s", (user,))
        return {r["category"] for r in rows}

    def set_opt_out(self, user: str, category: str, opted_out: bool = True) -> None:
        from earmark.wellbeing import OPT_OUT_CATEGORIES

        self._as(user)
        if category not in OPT_OUT_CATEGORIES:
            raise UserError(
                f"unknown category {category!r} (choose {', '.join(OPT_OUT_CATEGORIES)})"
            )
        with self.db.tx() as c:
            if opted_out:
                c.execute(
                    "INSERT INTO opt_outs(category) VALUES (%s) ON CONFLICT DO NOTHING",
                    (category,),
                )
            else:
                c.execute(
                    "DELETE FROM opt_outs WHERE who = session_user AND category = %s",
                    (category,),
                )
