"""`PgStore`: every part of the PostgreSQL store on one connection."""

from __future__ import annotations

from earmark.store.postgres.batches import PgBatchesMixin
from earmark.store.postgres.checks import PgChecksMixin
from earmark.store.postgres.consent import PgConsentMixin
from earmark.store.postgres.db import PgDatabase
from earmark.store.postgres.escalations import PgEscalationsMixin
from earmark.store.postgres.figures import PgFiguresMixin
from earmark.store.postgres.gold import PgGoldMixin
from earmark.store.postgres.reviews import PgReviewsMixin
from earmark.store.postgres.words import PgWordsMixin
from earmark.store.protocol import Store


class PgStore(
    PgGoldMixin,
    PgEscalationsMixin,
    PgWordsMixin,
    PgConsentMixin,
    PgBatchesMixin,
    PgChecksMixin,
    PgReviewsMixin,
    PgFiguresMixin,
):
    """The store interface on PostgreSQL (see the package's docstring)."""

    def __init__(self, db: PgDatabase, *, lease_seconds: float | None = None) -> None:
        self.db = db
        self._held = set()
        if lease_seconds is not None:
            self.lease_seconds = float(lease_seconds)

    def close(self) -> None:
        self.stop_queue()
        self.db.close()

    def stay_open(self) -> None:
        """Nothing to do: PostgreSQL checkpoints in its own processes."""


def _conforms(store: PgStore) -> Store:
    """Never called: mypy checks here that PgStore implements the whole Store Protocol."""
    return store
