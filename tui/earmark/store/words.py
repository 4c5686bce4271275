"""The word index that suggestions read: words of submitted transcripts with frequencies.

Maintained on every submit (`learn_words`), one row per word and one per (clip, word), so
the number of distinct clips a word appeared in is exact even when a clip is reopened and
submitted again, and a purged clip's words can be taken back out (`learn_words(id, [])`).
An annotator's start-up reads only a bounded slice: the offerable words (in at least
`min_clips` clips) by use, and the most recent corrections, so it does not grow with the
project. Clips flagged critical never feed the recent corrections.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from earmark import redaction
from earmark.store.base import StoreBase


def _marked_words(c: Any, clip_id: int) -> set[str]:
    """The words the clip's active critical flags redact, as marks and as index keys."""
    rows = c.execute(
        "SELECT redact_words FROM flags WHERE clip_id = ? AND kind = 'critical'"
        " AND state = 'active' AND redact_words IS NOT NULL",
        (clip_id,),
    ).fetchall()
    words = {m.word for r in rows for m in redaction.loads(r[0])}
    return words | {redaction.folded(w) for w in words}


class WordsMixin(StoreBase):
    def learn_words(
        self, clip_id: int, words: Sequence[tuple[str, str]], guess: str | None = None
    ) -> None:
        """Record a clip's words, (folded key, spelling) pairs, replacing what it had;
        with `guess`, its correction may come back as a whole-utterance suggestion.
        `learn_words(clip_id, [])` takes a clip back out (withdrawn consent, purge)."""
        self.learn_words_many([(clip_id, words, guess)])

    def learn_words_many(
        self, items: Sequence[tuple[int, Sequence[tuple[str, str]], str | None]]
    ) -> None:
        """`learn_words` for many clips in one transaction."""
        with self.db.write() as c:
            for clip_id, words, guess in items:
                uses: dict[str, int] = {}
                shown: dict[str, str] = {}
                marked = _marked_words(c, clip_id)
                for k, form in words:
                    if marked and (k in marked or redaction.norm(form) in marked):
                        continue  # marked for redaction: never offered to anyone
                    uses[k] = uses.get(k, 0) + 1
                    shown.setdefault(k, form)
                self._unlearn(c, clip_id)
                c.executemany(
                    "INSERT INTO word_index(key, display, uses, clips) VALUES (?, ?, ?, 1)"
                    " ON CONFLICT(key) DO UPDATE SET uses = uses + excluded.uses,"
                    " clips = clips + 1",
                    [(k, shown[k], n) for k, n in uses.items()],
                )
                c.executemany(
                    "INSERT INTO clip_words(clip_id, key, uses) VALUES (?, ?, ?)",
                    [(clip_id, k, n) for k, n in uses.items()],
                )
                c.execute("DELETE FROM learned_utterances WHERE clip_id = ?", (clip_id,))
                if guess is not None:
                    c.execute("INSERT INTO learned_utterances(clip_id) VALUES (?)", (clip_id,))

    @staticmethod
    def _unlearn(c: Any, clip_id: int) -> None:
        rows = c.execute(
            "SELECT key, uses FROM clip_words WHERE clip_id = ?", (clip_id,)
        ).fetchall()
        for k, n in rows:
            c.execute(
                "UPDATE word_index SET uses = uses - ?, clips = clips - 1 WHERE key = ?", (n, k)
            )
        if rows:
            c.execute("DELETE FROM clip_words WHERE clip_id = ?", (clip_id,))
            c.execute("DELETE FROM word_index WHERE clips <= 0")

    def offerable_words(self, min_clips: int, limit: int) -> list[tuple[str, int, int]]:
        """(spelling, uses, clips) of words seen in at least `min_clips` clips, most used first."""
        rows = self.db.query_apart(
            "SELECT display, uses, clips FROM word_index WHERE clips >= ?"
            " ORDER BY clips DESC LIMIT ?",
            (int(min_clips), int(limit)),
        )
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    def recent_corrections(self, limit: int) -> list[tuple[str, str]]:
        """(guess, transcript) of the most recently learned clips, oldest first."""
        rows = self.db.query_apart(
            # CROSS JOIN keeps the newest-first walk of learned_utterances outermost; a plain
            # JOIN let the planner walk every done clip instead (seconds at a million clips)
            "SELECT c.asr, c.text FROM learned_utterances u CROSS JOIN clips c ON c.id = u.clip_id"
            " WHERE c.status = 'done' AND c.text IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM flags f WHERE f.clip_id = c.id AND f.kind = 'critical')"
            " ORDER BY u.seq DESC LIMIT ?",
            (int(limit),),
        )
        return [(r[0] or "", r[1]) for r in reversed(rows)]

    def word_index_ready(self) -> bool:
        """False until the transcripts submitted before the index existed are in it."""
        row = self.db.query_one("SELECT value FROM meta WHERE key = 'word_index_ready'")
        return row is not None

    def unindexed_transcripts(self, after: int, limit: int) -> list[tuple[int, str, str]]:
        """(clip id, transcript, guess) of done clips after `after`, for the one-time fill.

        Clips flagged critical are left out: their words may be marked for redaction.
        """
        rows = self.db.query(
            "SELECT c.id, c.text, c.asr FROM clips c WHERE c.status = 'done'"
            " AND c.text IS NOT NULL AND c.id > ? AND NOT EXISTS"
            " (SELECT 1 FROM flags f WHERE f.clip_id = c.id AND f.kind = 'critical')"
            " ORDER BY c.id LIMIT ?",
            (int(after), int(limit)),
        )
        return [(int(r[0]), r[1], r[2] or "") for r in rows]

    def mark_word_index_ready(self) -> None:
        with self.db.write() as c:
            c.execute(
                "INSERT INTO meta(key, value) VALUES ('word_index_ready', '1')"
                " ON CONFLICT(key) DO NOTHING"
            )
