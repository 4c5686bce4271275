"""Roles: annotator, reviewer, lead, bound to the OS login name by default.

The first user a database sees becomes its lead; leads grant roles. On a shared SQLite
file these checks guard against mistakes (an annotator opening the reviewer queue, a
reviewer confirming their own referral), not against someone who can read or write the
file directly: anyone who can open the file can also edit it. The audit log makes such
edits visible; it cannot prevent them.
"""

from __future__ import annotations

from earmark.errors import UserError

ROLES = ("annotator", "reviewer", "lead")
REVIEW_ROLES = ("reviewer", "lead")


class PermissionDenied(UserError):
    """The acting user's role does not allow this; the message says which role would."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (choose {', '.join(ROLES)})")
    return role


def require(user: str, role: str | None, allowed: tuple[str, ...], doing: str) -> None:
    if role not in allowed:
        need = " or ".join(allowed)
        have = role or "not yet a user of this database"
        raise PermissionDenied(f"{user} is {have}: only a {need} may {doing}")


def can_review(role: str | None) -> bool:
    return role in REVIEW_ROLES
