"""Which clip is gold, for the annotator's session: when to serve one, and its answer.

Gold clips are served blind: the screen shows one exactly as any clip the annotator holds
(its import position, its name, the guess to correct), and a submit looks the same from
outside. When one is served: first, a new annotator's onboarding set (their first
`ONBOARDING` answers are gold, as far as the project has gold clips); after that, after each
clip they finish, with the probability of that clip's batch `gold_rate` (a random draw, so
no count gives it away), the gold clip of that batch they have not had that comes next in
import order. The draw is made once per clip finished, early enough that the clip can be
decoded ahead like any other (`Session.upcoming`). Every annotator may get every gold clip
once; answering one scores it (store: finish_gold).

Nothing here is on the shared queue's path: the session asks `next_for` before the queue,
and a gold clip is never in the queue.
"""

from __future__ import annotations

import dataclasses
import random
import sqlite3
from collections.abc import Iterable

from earmark.errors import UserError
from earmark.quality.gold import ONBOARDING
from earmark.store import Clip, Draft, Store


class GoldServing:
    def __init__(
        self,
        store: Store,
        user: str,
        *,
        rng: random.Random | None = None,
        onboarding: int = ONBOARDING,
    ) -> None:
        self.store = store
        self.user = user
        self.rng = rng or random.SystemRandom()
        self.onboarding = onboarding
        self._held: set[int] = set()
        self._decided: tuple[int, int | None] | None = None
        self._batch: str | None = None

    def next_for(self, after: int, avoid: Iterable[int] = ()) -> int | None:
        """The gold clip to open after clip `after`, or None for the queue's next clip.
        Asked again for the same clip, the same answer (the draw is made once)."""
        if self._decided is not None and self._decided[0] == after:
            return self._decided[1]
        batch = self._batch if after else None
        due = after != 0 and batch is not None and self.rng.random() < self._rate(batch)
        try:
            got = self.store.next_gold(
                self.user,
                due=due,
                near=after,
                batch=batch,
                onboarding=self.onboarding,
                avoid=avoid,
            )
        except (sqlite3.Error, UserError):
            return None  # no gold clip this time (a full disk, a lost connection): the queue's

        self._decided = (after, got)
        if got is not None:
            self._held.add(got)
        return got

    def _rate(self, batch: str) -> float:
        """The batch's gold rate, read each time: a lead may change it while people work."""
        try:
            return float(self.store.batch_settings(batch).gold_rate)
        except UserError:  # the batch is gone (every clip purged): no gold from it
            return 0.0

    def open(self, clip: Clip) -> tuple[Clip, Draft | None] | None:
        """A gold clip as this annotator's own (in progress with their draft, or their
        answer as a submitted clip); None for any other clip."""
        self._batch = clip.batch
        mine = self.store.gold_open(clip.id, self.user)
        if mine is None:
            self._held.discard(clip.id)
            return None
        self._held.add(clip.id)
        status = "in_progress" if mine.state == "served" else mine.state
        view = dataclasses.replace(
            clip,
            status=status,
            text=mine.answer,
            skip_reason=mine.skip_reason,
            annotator=self.user,
        )
        draft = None
        if mine.draft is not None:
            draft = Draft(clip.id, self.user, mine.draft, mine.cursor, mine.seconds, 0.0)
        return view, draft

    def holds(self, clip_id: int) -> bool:
        return clip_id in self._held

    def save_draft(self, clip_id: int, text: str, cursor: int, seconds: float) -> None:
        self.store.save_gold_draft(clip_id, self.user, text, cursor, seconds)

    def finish(self, clip_id: int, text: str | None, reason: str | None, seconds: float) -> None:
        self.store.finish_gold(clip_id, self.user, text=text, reason=reason, seconds=seconds)
