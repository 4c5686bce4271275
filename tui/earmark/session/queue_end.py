"""The Session's part at the end of the queue: what is left and why none of it is offered,
and waiting for more work instead of asking the annotator to restart.

A mixin of Session, kept apart so workflow.py stays about moving through clips.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from earmark.session.state import QueueLeft

if TYPE_CHECKING:
    from earmark.store import Store
    from earmark.wellbeing import Wellbeing


class QueueEndMixin:
    if TYPE_CHECKING:
        store: Store
        user: str
        total: int
        wellbeing: Wellbeing

    def queue_left(self) -> QueueLeft:
        counts = self.store.status_counts()
        yours = sum(c.annotator == self.user for c in self.store.iter_clips(["in_progress"]))
        # held back: the pending clips routing keeps from this annotator, counted one by one
        # (a pending clip not routed away is another's share of the overlap, or a gold clip)
        held = sum(
            1
            for i in self.wellbeing.routed_away()
            if (c := self.store.clip(i)) is not None and c.status == "pending"
        )
        return QueueLeft(
            skipped=counts.get("skipped", 0),
            yours=yours,
            elsewhere=max(0, counts.get("in_progress", 0) - yours),
            held_back=min(held, counts.get("pending", 0)),
            done=counts.get("done", 0),
            total=self.total,
        )

    def wait_for_work(self, timeout: float) -> bool:
        """At the end of the queue: True as soon as new work is announced (PostgreSQL's
        LISTEN/NOTIFY), False after `timeout`. SQLite cannot announce anything: there the
        caller simply looks again (`resume`) after waiting."""
        wait = getattr(self.store, "wait_for_work", None)
        if wait is None:
            time.sleep(timeout)
            return False
        return bool(wait(timeout))
