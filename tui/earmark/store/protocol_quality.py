"""The quality parts of `Store` (see protocol.py): gold clips with final transcripts, and the
acoustic check with offline first guesses. Apart so each Protocol stays readable; `Store`
inherits both, and both backends implement them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from earmark.quality.gold import GoldAnswer, GoldOpen, GoldRef, GoldTally
from earmark.store.records import Word


class CheckStore(Protocol):
    # -- the acoustic check and offline first guesses (earmark/store/checks.py) ------------
    def record_check(
        self,
        clip_id: int,
        text: str,
        words: Sequence[Word],
        marked: int | None,
        annotator: str | None = None,
    ) -> bool:
        """Word timings of `text` and how many words the check marked, kept with the clip
        while `text` is still its submitted transcript; False (nothing kept) when not."""
        ...

    def unchecked_transcripts(self, after: int, limit: int) -> list[tuple[int, str, str, str]]:
        """(clip id, transcript, audio, annotator) of transcripts without timings, clip order."""
        ...

    def iter_word_timings(self, chunk: int = 2000) -> Iterator[tuple[int, str, list[Word]]]: ...

    def check_counts(self) -> dict[str, int]: ...

    def clips_without_guess(self, batch: str | None = None) -> list[tuple[int, str]]: ...

    def set_machine_guess(
        self,
        clip_id: int,
        text: str,
        words: Sequence[Word],
        alternatives: Sequence[str],
        source: str,
    ) -> bool: ...


class GoldStore(Protocol):
    # -- gold clips and final transcripts (store/gold.py, store/postgres/gold.py) ---------
    def add_gold(self, refs: Iterable[tuple[str, GoldRef]]) -> int:
        """Make the named clips gold (leads, at import); they leave the shared queue."""
        ...

    def gold_ids(self) -> set[int]:
        """Every gold clip (reviewers and leads only)."""
        ...

    def next_gold(
        self,
        annotator: str,
        *,
        due: bool,
        near: int,
        batch: str | None,
        onboarding: int,
        avoid: Iterable[int] = (),
    ) -> int | None:
        """The gold clip given to `annotator` and unanswered (not `near`, the one open),
        else (when due or onboarding)
        a gold clip they never had, now given to them; None when none."""
        ...

    def gold_open(self, clip_id: int, annotator: str) -> GoldOpen | None:
        """`annotator`'s draft or answer of a gold clip given to them; None otherwise."""
        ...

    def save_gold_draft(
        self, clip_id: int, annotator: str, text: str, cursor: int, seconds: float
    ) -> None: ...

    def finish_gold(
        self,
        clip_id: int,
        annotator: str,
        *,
        text: str | None,
        reason: str | None,
        seconds: float,
    ) -> None:
        """Record and score an answer (text None: a skip), audited like any submit."""
        ...

    def gold_answers(self, batch: str | None = None) -> list[GoldAnswer]:
        """Scored answers (reviewers and leads only)."""
        ...

    def gold_reference(self, clip_id: int) -> GoldRef | None:
        """A gold clip's reference (reviewers and leads only); None for any other clip."""
        ...

    def gold_score(self, annotator: str, since: float) -> GoldTally:
        """The annotator's own gold figures since `since` (no clip named)."""
        ...

    def set_final(self, clip_id: int, text: str, by: str) -> None:
        """A reviewer's final transcript of a disputed clip (never by one of its annotators)."""
        ...

    def final_texts(self) -> dict[int, str]:
        """Final transcripts set by reviewers, by clip id."""
        ...
