"""The annotator's main screen: listen, correct the guess, submit, next.

The screen routes keys and draws; its parts do the rest. The session is its only way to the
queue, `Playback` owns the player and the waveform, `Suggestions` the word offers,
`Sensitive` the flags, escalations and breaks. Everything slow runs in thread workers
(workers.py) that are handed plain values and post back a typed message (messages.py); none
reads a widget.
A submit is on disk before the next clip is drawn.

Every command is a priority binding (bindings.py, from earmark/command_table.py) whose action
runs after the keys typed before it, so commands work while the editor has focus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer

from earmark.app.bindings import first_key, screen_bindings
from earmark.app.screens.annotate.actions import EditingActions
from earmark.app.screens.annotate.check import TranscriptCheck
from earmark.app.screens.annotate.deps import AnnotateDeps
from earmark.app.screens.annotate.listening import SecondListen
from earmark.app.screens.annotate.messages import ClipShown, PaceCounted, SuggesterReady
from earmark.app.screens.annotate.queue_end import QueueEnd
from earmark.app.screens.annotate.sensitive import Sensitive
from earmark.app.screens.annotate.suggestions import Learned, Suggestions
from earmark.app.screens.feedback import FeedbackActions
from earmark.app.screens.help import HelpScreen
from earmark.app.screens.skip import SkipScreen
from earmark.app.widgets.asr import AsrView
from earmark.app.widgets.editor import EDITOR_KEYS, TranscriptInput
from earmark.app.widgets.key_card import KeysCard
from earmark.app.widgets.playback import Playback
from earmark.app.widgets.status import StatusInfo, StatusLine
from earmark.app.widgets.suggestions import SuggestionsBar
from earmark.app.widgets.textbox import TextBox
from earmark.session import STORE_ERRORS, ClipState, low_confidence
from earmark.store import Clip, Flag
from earmark.suggest import Suggester
from earmark.textsafe import clean

PACE_EVERY = 30.0  # seconds between pace counts when nothing was submitted


class AnnotateScreen(
    EditingActions, TranscriptCheck, SecondListen, QueueEnd, FeedbackActions, Screen[None]
):
    CSS_PATH = "screen.tcss"
    BINDINGS = screen_bindings()
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    AUTO_FOCUS = "#editor"

    def __init__(self, deps: AnnotateDeps) -> None:
        super().__init__()
        self.deps = deps
        self.session = deps.session
        self.keymap = deps.keymap
        self.clip_state: ClipState | None = None
        self.busy = True  # until the first clip is shown
        self.flags: list[Flag] = []
        self.done_today = 0
        self.per_hour = 0.0
        self.suggest = Suggestions()
        self.sensitive = Sensitive(
            self,
            deps.store,
            self.session.user,
            wellbeing=self.session.wellbeing,
            policy=deps.policy,
        )
        self._suggest_due = False
        self._asr_armed: int | None = None  # clip whose F8 waits for a second press
        self._quit_armed = False

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusLine(id="status")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield Playback(
                    self.deps.prefetcher,
                    self.deps.open_player,
                    on_played=self.session.log_play,
                    autoplay=self.deps.autoplay,
                    id="playback",
                )
                yield AsrView(id="asr")
                yield TranscriptInput(placeholder="transcript", id="editor", select_on_focus=False)
                yield SuggestionsBar(id="suggestions")
                yield TextBox(id="message")
            yield KeysCard(self.keymap, id="keys")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.editor.cursor_blink = self.deps.cursor_blink
        self._build_suggester(self.deps.make_suggester)
        self.check_setup()
        self._transition(self.session.resume, (), self.playback.wave.size.width, None)
        self.set_interval(0.5, self._autosave, name="autosave")
        self.set_interval(0.5, self._refresh_status, name="status")
        self.set_interval(PACE_EVERY, self._count_pace, name="pace")

    @property
    def suggester(self) -> Suggester | None:
        return self.suggest.suggester

    @property
    def editor(self) -> TranscriptInput:
        return self.query_one(TranscriptInput)

    @property
    def playback(self) -> Playback:
        return self.query_one(Playback)

    def say(self, text: str, timeout: float = 4, severity: Any = "information") -> None:
        """A toast; never markup, since clip names, reasons and errors come from outside."""
        self.notify(clean(text), markup=False, timeout=timeout, severity=severity)

    def key(self, binding_id: str) -> str:
        return first_key(self.keymap, binding_id)

    def action_cmd(self, action: str) -> None:
        """Run a command after the keys typed before it (they wait in the editor's queue)."""
        self.session.touch()  # any command key: the annotator is not idle
        self.editor.call_later(self.run_action, action)

    # -- messages ------------------------------------------------------------------------
    def on_clip_shown(self, msg: ClipShown) -> None:
        self.busy = False
        if msg.error:
            self.say(msg.error, timeout=6, severity="error")
            if (
                msg.state is not None
                and self.clip_state is not None
                and msg.state.clip.id == self.clip_state.clip.id
            ):
                return  # stay put: the editor still holds the text
        if msg.learned and self.suggest.suggester is not None:
            self._learn(self.suggest.suggester, msg.learned)
        if msg.learned and self.clip_state and self.clip_state.clip.id == msg.learned.clip_id:
            self.check_submitted(msg.learned.clip_id, self.clip_state.clip.audio, msg.learned.text)
        self.flags = msg.flags
        with self.app.batch_update():
            self._show(msg.state, msg)
        for note in msg.state.notices if msg.state else ():
            self.say(note, timeout=8, severity="warning")

    def on_pace_counted(self, msg: PaceCounted) -> None:
        self.done_today, self.per_hour = msg.done_today, msg.per_hour

    def on_suggester_ready(self, msg: SuggesterReady) -> None:
        self.suggest.ready(msg.suggester, msg.reason, self.open_clip())
        self._update_suggestions()

    def on_playback_failed(self, msg: Playback.Failed) -> None:
        if self.clip_state is None or msg.clip_id != self.clip_state.clip.id or self.busy:
            return
        self.busy = True
        self._transition(self.session.mark_unplayable, (msg.reason,), 0, None)

    def _show(self, state: ClipState | None, msg: ClipShown) -> None:
        self.clip_state = state
        self._asr_armed = None
        self.alt_index = -1
        editor = self.editor
        if state is None:
            self.show_end()
            return
        self.workers.cancel_group(self, "wake")
        editor.disabled = False
        editor.load(state.text, state.cursor)
        editor.reset_history()
        editor.focus()
        self.check_clip_shown()
        clip = state.clip
        note = self._clip_note(clip)  # a content warning, if any, comes first
        self.show_message(self.sensitive.note_with_warning(clip.id, self.flags, note))
        self.query_one(AsrView).show(clip, alternatives_key=self.key("use_alternative"))
        may_start = self.sensitive.autoplay_allowed(clip.id, self.flags)
        self.playback.show_clip(clip, msg.decoded, may_start=may_start)
        self._update_marks()
        self.suggest.set_clip(clip)
        self._update_suggestions()
        self._refresh_status()

    @staticmethod
    def _clip_note(clip: Clip) -> str:
        if clip.status == "done":
            return "Reopened: submitted before. Submit again to change it (the old text is kept)."
        if clip.status == "skipped":
            return f"Reopened: skipped before ({clip.skip_reason}). Submit to transcribe it."
        if clip.status == "unplayable":
            return f"Unplayable: {clip.skip_reason}"
        return ""

    # -- the editor ------------------------------------------------------------------------
    @on(TranscriptInput.Changed, "#editor")
    def _edited(self, event: TranscriptInput.Changed) -> None:
        if self.clip_state is not None:
            clip = self.clip_state.clip
            self.session.edit(event.value, self.editor.cursor_position, clip_id=clip.id)
            self.check_edited()
            if self._asr_armed is not None and event.value.split() != clean(clip.asr).split():
                self._asr_armed = None  # changed again since: F8 asks again
        self._update_suggestions()

    @on(TranscriptInput.CursorMoved)
    def _cursor_moved(self, _event: TranscriptInput.CursorMoved) -> None:
        self._update_suggestions()

    def _update_suggestions(self) -> None:
        """Several events (value, cursor, new clip) often come together: compute once."""
        if not self._suggest_due:
            self._suggest_due = True
            self.call_after_refresh(self._update_suggestions_now)

    def _update_suggestions_now(self) -> None:
        self._suggest_due = False
        bar = self.query_one(SuggestionsBar)
        keys = [self.key("accept_suggestion")] + [self.key(f"suggestion_{n}") for n in range(2, 6)]
        clip = self.open_clip()
        editor = self.editor
        offer = (
            self.suggest.offer(editor.value, editor.cursor_position, editor.typed) if clip else None
        )
        if offer is None:
            bar.show([], keys, status=self.suggest.status if clip else "")
            return
        self.ask_audio(offer.choice)
        bar.show(
            offer.words,
            keys,
            utterance=offer.utterance,
            utterance_key=self.key("accept_utterance"),
            status="type to get suggestions",
        )

    # -- timers and the status line ------------------------------------------------------
    def _autosave(self) -> None:
        if self.session.dirty:
            self._save_draft()

    def _refresh_status(self) -> None:
        s = self.clip_state
        if self.playback.live_stretch() is not None:
            self.session.touch()  # listening is not idle time
        clip_state = ""
        if s is not None and s.clip.status in ("done", "skipped"):
            clip_state = f"reopened ({s.clip.status})"
        info = StatusInfo(
            batch=s.clip.batch if s else "",
            position=s.position if s else 0,
            total=self.session.total,
            done_today=self.done_today,
            per_hour=self.per_hour,
            on_clip=self.session.seconds_on_clip() if s else 0.0,
            speed=self.playback.speed,
            audio=self.playback.state_text(),
            clip_state=clip_state,
            exposure=self.sensitive.meter(),
            check=self.check_status(),
            listen=self.session.listen_left(self.playback.live_stretch()),
        )
        self.query_one(StatusLine).show(info)

    def _update_marks(self) -> None:
        s = self.clip_state
        if s is None:
            return
        low = set(low_confidence(s.clip))
        words = [(w.start, i in low) for i, w in enumerate(s.clip.words) if w.start is not None]
        flags = [
            (f.start, f.end if f.end is not None else f.start)
            for f in self.flags
            if f.start is not None and f.clip_id == s.clip.id
        ]
        self.playback.set_marks(words, flags)

    # -- the Host interface the sensitive-content part uses --------------------------------
    def open_clip(self) -> Clip | None:
        return self.clip_state.clip if self.clip_state is not None else None

    def playhead(self) -> float:
        return self.playback.playhead()

    def stop_audio(self) -> None:
        self.playback.stop()

    def pause_audio(self) -> None:
        self.playback.pause()

    def selection(self) -> tuple[str, int, int]:
        editor = self.editor
        sel = editor.selection
        return editor.value, sel.start, sel.end

    def set_flags(self, flags: list[Flag]) -> None:
        self.flags = flags
        self._update_marks()

    def show_message(self, text: str) -> None:
        self.query_one("#message", TextBox).set(Content(clean(text)))

    def refresh_status(self) -> None:
        self._refresh_status()

    def is_top(self) -> bool:
        """Only the annotate screen itself may open a panel (never over another one)."""
        return self.app.screen is self

    def open_panel(self, screen: Screen[Any], done: Callable[[Any], None] | None) -> None:
        self.app.push_screen(screen, done)

    # -- moving on ---------------------------------------------------------------------------
    def sync_editor(self) -> None:
        if self.clip_state is not None:
            editor = self.editor
            clip_id = self.clip_state.clip.id
            self.session.edit(editor.value, editor.cursor_position, clip_id=clip_id)

    def go(
        self, step: Callable[..., ClipState | None], *args: Any, learned: Learned | None = None
    ) -> None:
        if self.busy:
            return
        self.busy = True
        self.playback.pause()
        self._transition(step, args, self.playback.wave.size.width, learned)

    def action_skip(self) -> None:
        if self.clip_state is None or self.busy:
            return
        if not self.clip_state.clip.playable:
            self.say("This clip is unplayable; it is skipped already.")
            return
        self.sync_editor()
        self.playback.pause()

        def chosen(reason: str | None) -> None:
            if reason:
                self.go(self.session.skip, reason)

        self.app.push_screen(SkipScreen(), chosen)

    # -- sensitive content ------------------------------------------------------------------
    def action_flag_critical(self) -> None:
        self.sensitive.flag_critical()

    def action_flag_distressing(self) -> None:
        self.sensitive.flag_distressing()

    def action_escalate(self) -> None:
        self.sensitive.escalate()

    def action_my_escalations(self) -> None:
        self.sensitive.show_mine()

    def action_take_break(self) -> None:
        self.sensitive.take_break()

    # -- the rest --------------------------------------------------------------------------
    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.keymap, EDITOR_KEYS))

    def ready_to_quit(self) -> bool:
        """Save the draft now; if that fails, say so once and stay (a second quit leaves)."""
        self.sync_editor()
        try:
            self.session.save_draft(force=True)
        except STORE_ERRORS as exc:
            if self._quit_armed:
                return True
            self._quit_armed = True
            self.say(
                f"The draft could not be saved ({exc}). {self.key('quit')} again quits without it.",
                timeout=10,
                severity="error",
            )
            return False
        return True

    def action_quit(self) -> None:
        if self.ready_to_quit():
            self.app.exit()
