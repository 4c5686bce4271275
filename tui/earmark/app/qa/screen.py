"""The review screen: the reviewer's second-pass queue of submitted transcripts.

Top to bottom at 80x24: a title (how many clips wait, and for whom), the queue (clip,
batch, why it is here, its annotators), the waveform, the three-way word diff (ASR guess,
each annotator's transcript, and the reviewer's while fixing), a status line and the footer.
The clip plays through the annotator's own audio path (Playback: prefetch, the clip's
memory budget, never a whole long file decoded), and every play is logged.

An outcome is written (store.record_review: durable, audited, refused on the reviewer's
own clip) before the status line says "saved"; a refusal is shown as it is. The queue comes
from earmark/session/review_queue.py, the one place that names its sources.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from earmark.app.qa.diff_view import LEGEND, diff_text
from earmark.app.qa.forms import FixScreen, QaHelpScreen, RejectScreen
from earmark.app.qa.keys import qa_bindings
from earmark.app.widgets.playback import Playback
from earmark.audio.prefetch import Prefetcher
from earmark.errors import UserError
from earmark.quality.review import DiffLine, ReviewError, ReviewItem, three_way
from earmark.session import STORE_ERRORS
from earmark.session.review_queue import review_queue
from earmark.store import Clip, Store
from earmark.textsafe import clean

if TYPE_CHECKING:
    from earmark.audio.player import Player

REASON_WORDS = {"sample": "sample", "disputed": "disagree", "gold_miss": "gold miss"}


class QaScreen(Screen[None]):
    BINDINGS = qa_bindings()

    def __init__(
        self,
        store: Store,
        user: str,
        *,
        open_player: Callable[[], Player | None],
        keys: dict[str, str] | None = None,
        autoplay: bool = True,
    ) -> None:
        super().__init__()
        self.store = store
        self.user = user
        self.keys = keys or {}
        self.prefetcher = Prefetcher(capacity=2)
        self._open_player = open_player
        self._players: list[Player] = []
        self.autoplay = autoplay
        self.items: list[ReviewItem] = []
        self.current: ReviewItem | None = None
        self.clip: Clip | None = None
        self.word = 0
        self.lines: list[DiffLine] = []  # the diff on screen

    def _opener(self) -> Player | None:
        player = self._open_player()
        if player is not None:
            self._players.append(player)
        return player

    def compose(self) -> ComposeResult:
        yield Static("", id="qa-title")
        yield DataTable(id="qa-queue", cursor_type="row", zebra_stripes=True)
        yield Playback(self.prefetcher, self._opener, on_played=self._played, id="qa-audio")
        yield Static("", id="qa-diff")
        yield Static(LEGEND, id="qa-legend")
        yield Static("", id="qa-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#qa-queue", DataTable)
        table.add_columns("clip", "batch", "why", "annotators")
        self.action_qa_refresh()
        table.focus()

    def shutdown(self) -> None:
        for player in self._players:
            with contextlib.suppress(OSError, RuntimeError):
                player.close()
        self.prefetcher.close()

    # -- the queue ---------------------------------------------------------------------------
    def action_qa_refresh(self) -> None:
        try:
            self.items = review_queue(self.store, self.user)
        except STORE_ERRORS + (UserError,) as exc:
            self._status(f"could not read the queue: {clean(str(exc))}")
            return
        table = self.query_one("#qa-queue", DataTable)
        keep = self.current.clip_id if self.current else None
        table.clear()
        for item in self.items:
            why = ", ".join(REASON_WORDS.get(r, r) for r in item.reasons)
            table.add_row(
                Text(clean(item.clip)[:24]),
                Text(clean(item.batch)[:16]),
                Text(why),
                Text(clean(", ".join(item.annotators))[:30]),
                key=str(item.clip_id),
            )
        n = len(self.items)
        title = f"earmark qa · {clean(self.user)} · {n} clip{'s' if n != 1 else ''} to review"
        self.query_one("#qa-title", Static).update(Content(title))
        rows = [i.clip_id for i in self.items]
        if keep in rows:
            table.move_cursor(row=rows.index(keep))
        self._show(self.items[table.cursor_row] if self.items else None)

    @on(DataTable.RowHighlighted, "#qa-queue")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.items):
            item = self.items[event.cursor_row]
            if self.current is None or item.clip_id != self.current.clip_id:
                self._show(item)

    def _show(self, item: ReviewItem | None) -> None:
        self.current, self.word = item, 0
        self.clip = self.store.clip(item.clip_id) if item else None
        playback = self.query_one(Playback)
        playback.show_clip(self.clip, None, may_start=self.autoplay)
        if self.clip is not None:
            marks = [(w.start, False) for w in self.clip.words if w.start is not None]
            playback.set_marks(marks, [])
        self._draw()
        if item is None:
            self.query_one("#qa-diff", Static).update(
                Content("Nothing to review: every sampled, disputed and gold-missed clip is done.")
            )

    def _draw(self) -> None:
        if self.current is None or self.clip is None:
            return
        self.lines = three_way(self.clip.asr, self.current.transcripts)
        self.query_one("#qa-diff", Static).update(diff_text(self.lines, selected=self.word))

    # -- audio -------------------------------------------------------------------------------
    def _played(self, clip_name: str | None, start: float, end: float, speed: float) -> None:
        clip = self.clip
        if clip is not None and clip_name == clip.name:
            with contextlib.suppress(*STORE_ERRORS):
                self.store.log_play(self.user, clip.id, start, end, speed)

    def action_qa_play(self) -> None:
        self.query_one(Playback).play_pause()

    def action_qa_play_word(self) -> None:
        clip = self.clip
        if clip is None or not clip.words or self.word >= len(clip.words):
            self._status("no word timings for this clip")
            return
        w = clip.words[self.word]
        if w.start is None or w.end is None:
            self._status("no timing for this word")
            return
        self.query_one(Playback).play_span(w.start, w.end)

    def action_qa_next_word(self) -> None:
        self._step_word(1)

    def action_qa_prev_word(self) -> None:
        self._step_word(-1)

    def _step_word(self, step: int) -> None:
        if self.clip is None:
            return
        count = len(self.clip.asr.split())
        if count:
            self.word = min(count - 1, max(0, self.word + step))
            self._draw()

    # -- outcomes ----------------------------------------------------------------------------
    def action_qa_accept(self) -> None:
        self._record("accepted")

    def action_qa_fix(self) -> None:
        item, clip = self.current, self.clip
        if item is None or clip is None:
            return

        def done(text: str | None) -> None:
            if text is not None:
                self._record("fixed", text=text)

        self.app.push_screen(FixScreen(clip.asr, item.transcripts), done)

    def action_qa_reject(self) -> None:
        if self.current is None:
            return

        def done(reason: str | None) -> None:
            if reason is not None:
                self._record("rejected", note=reason)

        self.app.push_screen(RejectScreen(), done)

    def _record(self, outcome: str, *, text: str | None = None, note: str = "") -> None:
        item = self.current
        if item is None:
            return
        try:
            self.store.record_review(item.clip_id, self.user, outcome, text=text, note=note)
        except STORE_ERRORS + (ReviewError, UserError) as exc:
            self._status(f"not saved: {clean(str(exc))}")
            return
        self.query_one(Playback).stop()
        self.current = None
        self.action_qa_refresh()
        self._status(f"clip {clean(item.clip)}: {outcome}, saved")

    def _status(self, text: str) -> None:
        self.query_one("#qa-status", Static).update(Content(text))

    def action_qa_help(self) -> None:
        from earmark.app.qa.keys import qa_keys

        self.app.push_screen(QaHelpScreen({**qa_keys(None), **self.keys}))

    def action_qa_quit(self) -> None:
        self.query_one(Playback).stop()
        self.app.exit(0)
