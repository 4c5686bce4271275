"""The annotator's main screen: listen, correct the guess, submit, next.

Everything slow happens in thread workers that report back with messages: saving and
moving between clips (durable SQLite writes), decoding audio, opening the audio output,
building the suggestion index. The UI thread only draws and routes keys. A submit is on
disk before the next clip is drawn; the next clip's audio was decoded while the annotator
worked on this one.

Every command is a priority binding on this screen, so it works while the transcript
editor has focus, and only ever on keys that do not type (function keys, ctrl/alt chords,
enter, tab, page keys): the keymap loader refuses plain characters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer

from earmark.app.screens.help import HelpScreen
from earmark.app.screens.skip import SkipScreen
from earmark.app.sensitive import sensitive_for
from earmark.app.widgets.asr import AsrView
from earmark.app.widgets.editor import TranscriptInput
from earmark.app.widgets.keys import KeysCard
from earmark.app.widgets.status import StatusInfo, StatusLine
from earmark.app.widgets.suggestions import SuggestionsBar
from earmark.app.widgets.textbox import TextBox
from earmark.app.widgets.waveform import WaveformView
from earmark.audio.decode import AudioError
from earmark.keymap import ALL_IDS, DESCRIPTIONS, load_keymap
from earmark.session import (
    ClipState,
    SessionError,
    low_confidence,
    low_confidence_offsets,
    word_alternatives,
    word_spans,
    word_timing,
)
from earmark.textsafe import clean

if TYPE_CHECKING:
    from earmark.app.app import AnnotatorApp

SHORT = {
    "play_pause": "Play",
    "stop": "Stop",
    "rewind": "Back",
    "forward": "Fwd",
    "slower": "Slower",
    "faster": "Faster",
    "normal_speed": "1x",
    "replay_word": "Word",
    "submit": "Submit",
    "accept_asr": "ASR ok",
    "next_clip": "Next",
    "prev_clip": "Prev",
    "skip": "Skip",
    "accept_suggestion": "Suggest",
    "flag_critical": "Critical",
    "flag_distressing": "Distress",
    "escalate": "Escalate",
    "help": "Help",
    "quit": "Quit",
    "next_low_conf": "Unsure→",
    "prev_low_conf": "←Unsure",
    "accept_utterance": "Seen",
    "use_alternative": "Alt",
    **{f"suggestion_{n}": f"Sugg {n}" for n in range(1, 6)},
}
FOOTER = ("submit", "accept_asr", "play_pause", "skip", "help", "quit")  # fits in 80 columns
ACTIONS = {f"suggestion_{n}": f"suggestion({n})" for n in range(1, 6)}
SEEK_STEP = 2.0
SPEED_STEP = 0.1


def screen_bindings() -> list[Binding]:
    """One priority binding per id, default keys from keymaps/default.toml."""
    km = load_keymap(None)
    return [
        Binding(
            km.bindings[bid],
            f"cmd({ACTIONS.get(bid, bid)!r})",
            SHORT.get(bid, bid),
            show=bid in FOOTER,
            priority=True,
            tooltip=DESCRIPTIONS.get(bid, ""),
            id=bid,
        )
        for bid in (*FOOTER, *[i for i in ALL_IDS if i not in FOOTER])
    ]


def _rank_word_suggestions(
    fragment: str, alternatives: list[str], typed: list[str], clip
) -> list[str]:
    """The five words to offer for the word under the cursor, best first.

    On a word the recogniser wrote (the cursor moved onto an unsure word), its other guesses
    for that spot come first. Once the annotator types something else, what they are typing
    leads: alternatives that start with it first, then the suggester's words, then the rest.
    """
    low = fragment.strip().lower()
    asr_words = {w.word.lower() for w in clip.words} or set(clip.asr.lower().split())
    if not low or low in asr_words:
        ordered = alternatives + typed
    else:
        leading = [a for a in alternatives if a.lower().startswith(low)]
        ordered = leading + typed + [a for a in alternatives if a not in leading]
    out: list[str] = []
    for w in ordered:
        if w not in out:
            out.append(w)
    return out[:5]


class ClipShown(Message):
    """A transition finished in a worker: the clip to draw now (None: queue empty) or an error."""

    def __init__(
        self,
        state: ClipState | None,
        error: str | None = None,
        done_today: int | None = None,
        flags: list | None = None,
        decoded=None,
    ) -> None:
        super().__init__()
        self.state, self.error, self.done_today = state, error, done_today
        self.flags = flags or []
        self.decoded = decoded  # the clip's audio when the prefetcher already had it


class AudioReady(Message):
    def __init__(self, clip_id: int, decoded) -> None:
        super().__init__()
        self.clip_id, self.decoded = clip_id, decoded


class AudioFailed(Message):
    def __init__(self, clip_id: int, reason: str) -> None:
        super().__init__()
        self.clip_id, self.reason = clip_id, reason


class PlayerReady(Message):
    def __init__(self, player, reason: str | None) -> None:
        super().__init__()
        self.player, self.reason = player, reason


class SuggesterReady(Message):
    def __init__(self, suggester, reason: str | None) -> None:
        super().__init__()
        self.suggester, self.reason = suggester, reason


class AnnotateScreen(Screen):
    CSS_PATH = "annotate.tcss"
    BINDINGS = screen_bindings()
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]
    AUTO_FOCUS = "#editor"

    def __init__(self) -> None:
        super().__init__()
        self.clip_state: ClipState | None = None
        self.busy = True  # until the first clip is shown
        self.decoded = None
        self.player = None
        self.audio_reason = "audio: starting"
        self.suggester = None
        self.suggest_status = "suggestions: loading"
        self.speed = 1.0
        self.done_today = 0
        self._alt_index = -1
        self.flags: list = []
        self._suggest_due = False

    @property
    def annotator_app(self) -> AnnotatorApp:
        return self.app  # type: ignore[return-value]

    @property
    def session(self):
        return self.annotator_app.session

    def _say(self, text: str, **kwargs) -> None:
        """A toast; never markup, since clip names, reasons and errors come from outside."""
        self.notify(clean(text), markup=False, **kwargs)

    def action_cmd(self, action: str) -> None:
        """Run a command after the keys typed before it (they wait in the editor's queue)."""
        editor = self.query_one(TranscriptInput)
        editor.call_later(self.run_action, action)

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        from earmark.app.screens.help import key_label

        yield StatusLine(id="status")
        with Horizontal(id="body"):
            with Vertical(id="main"):
                yield WaveformView(id="waveform")
                yield AsrView(id="asr")
                yield TranscriptInput(
                    placeholder="transcript",
                    id="editor",
                    select_on_focus=False,
                )
                yield SuggestionsBar(id="suggestions")
                yield TextBox(id="message")
            yield KeysCard(self.annotator_app.keymap, key_label, id="keys")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        editor = self.query_one(TranscriptInput)
        editor.cursor_blink = self.annotator_app.cursor_blink
        self.query_one(WaveformView).show_message("loading…")
        self._open_player()
        self._build_suggester()
        self._transition(self.session.resume)
        self.set_interval(0.5, self._autosave, name="autosave")
        self.set_interval(1 / 15, self._tick, name="playhead")
        self.set_interval(0.5, self._refresh_status, name="status")

    # -- workers -------------------------------------------------------------------------
    @work(thread=True, group="clip")
    def _transition(self, fn, *args) -> None:
        """Run one session step (submit, skip, move) off the UI thread, then report."""
        session = self.session
        try:
            state = fn(*args)
        except SessionError as exc:
            self.post_message(ClipShown(session.state(), str(exc)))
            return
        except Exception as exc:  # the disk is full, the database is locked, ...
            self.post_message(ClipShown(session.state(), f"not saved: {clean(exc)}"))
            return
        try:
            done = session.done_today()
            flags = self.annotator_app.store.flags_for_clip(state.clip.id) if state else []
        except Exception:
            done, flags = None, []
        self.post_message(ClipShown(state, None, done, flags, self._ready_audio(state)))
        if state is not None:
            try:
                session.claim()  # durable, but the screen need not wait for it
            except Exception as exc:
                self.app.call_from_thread(
                    self._say, f"could not claim the clip: {exc}", severity="error"
                )
            self._prefetch_after(state)

    def _ready_audio(self, state: ClipState | None):
        """The clip's decoded audio if prefetched (so it is drawn with the clip), else None."""
        prefetcher = self.annotator_app.prefetcher
        if state is None or not state.clip.playable:
            return None
        try:
            if not prefetcher.cached(state.clip.audio):
                return None
            decoded = prefetcher.get(state.clip.audio)
            width = self.query_one(WaveformView).size.width
            if width > 0:
                decoded.waveform(width)
            return decoded
        except Exception:
            return None  # the audio worker will try, and report the problem

    def _prefetch_after(self, state: ClipState) -> None:
        app = self.annotator_app
        app.prefetcher.prefetch(state.clip.audio)
        try:
            nxt = app.store.next_open(app.session.user, state.clip.id)
        except Exception:
            return
        if nxt is not None and nxt != state.clip.id:
            clip = app.store.clip(nxt)
            if clip is not None and clip.playable:
                app.prefetcher.prefetch(clip.audio)

    @work(thread=True, exclusive=True, group="audio")
    def _load_audio(self, clip_id: int, path: str, width: int) -> None:
        try:
            decoded = self.annotator_app.prefetcher.get(path)
            if width > 0:
                decoded.waveform(width)  # summarised here, not in the UI thread
        except AudioError as exc:
            self.post_message(AudioFailed(clip_id, _problem(str(exc), path)))
            return
        self.post_message(AudioReady(clip_id, decoded))

    @work(thread=True, group="player")
    def _open_player(self) -> None:
        try:
            player = self.annotator_app.open_player()
        except Exception as exc:
            self.post_message(PlayerReady(None, f"no audio: {clean(exc)}"))
            return
        if player is None:
            self.post_message(PlayerReady(None, "no audio: playback is switched off"))
        else:
            self.post_message(PlayerReady(player, None))

    @work(thread=True, group="suggest")
    def _build_suggester(self) -> None:
        try:
            suggester = self.annotator_app.make_suggester()
        except Exception as exc:
            self.post_message(SuggesterReady(None, f"suggestions unavailable: {clean(exc)}"))
            return
        self.post_message(SuggesterReady(suggester, None if suggester else "suggestions off"))

    @work(thread=True, group="draft")
    def _save_draft(self) -> None:
        try:
            self.session.save_draft()
        except Exception as exc:
            self.app.call_from_thread(self._say, f"draft not saved: {exc}", severity="error")

    # -- messages from workers -----------------------------------------------------------
    def on_clip_shown(self, msg: ClipShown) -> None:
        self.busy = False
        if msg.done_today is not None:
            self.done_today = msg.done_today
        if msg.error:
            self._say(msg.error, severity="error", timeout=6)
            if (
                msg.state is not None
                and self.clip_state is not None
                and msg.state.clip.id == self.clip_state.clip.id
            ):
                return  # stay put: the editor still holds the text
        self.flags = msg.flags
        self._show(msg.state, msg.decoded)
        for note in msg.state.notices if msg.state else ():
            self._say(note, severity="warning", timeout=8)

    def _show(self, state: ClipState | None, decoded=None) -> None:
        with self.app.batch_update():
            self._show_now(state, decoded)

    def _show_now(self, state: ClipState | None, decoded=None) -> None:
        self.clip_state = state
        self.decoded = None
        self._alt_index = -1
        editor = self.query_one(TranscriptInput)
        wave = self.query_one(WaveformView)
        if self.player is not None:
            self.player.stop()
        if state is None:
            editor.value = ""
            editor.disabled = True
            self.query_one(AsrView).show(None)
            wave.show_message("Nothing left to do here. Previous clip to look back, or quit.")
            self.query_one(SuggestionsBar).show([], [], status="")
            self._set_message("All clips are done.")
            self._refresh_status()
            return
        editor.disabled = False
        editor.load(state.text, state.cursor)
        editor.focus()
        clip = state.clip
        note = self._clip_note(state)  # a content warning, if any, comes first
        self._set_message(sensitive_for(self).note_with_warning(clip.id, self.flags, note))
        self.query_one(AsrView).show(clip, alternatives_key=self._key("use_alternative"))
        self._update_marks()
        if not clip.playable:
            wave.show_message(f"unplayable: {clean(clip.skip_reason or '')}")
        elif decoded is not None:
            self._audio_arrived(decoded)
        else:
            wave.show_message("decoding…")
            wave.playhead = None
            self._load_audio(clip.id, clip.audio, wave.size.width)
        if self.suggester is not None:
            self.suggester.set_context(clip.asr, clip.alternatives)
        self._update_suggestions()
        self._refresh_status()

    def _clip_note(self, state: ClipState) -> str:
        clip = state.clip
        if clip.status == "done":
            return "Reopened: submitted before. Submit again to change it (the old text is kept)."
        if clip.status == "skipped":
            return f"Reopened: skipped before ({clip.skip_reason}). Submit to transcribe it."
        if clip.status == "unplayable":
            return f"Unplayable: {clip.skip_reason}"
        return ""

    def on_audio_ready(self, msg: AudioReady) -> None:
        if self.clip_state is None or msg.clip_id != self.clip_state.clip.id:
            return
        self._audio_arrived(msg.decoded)

    def _audio_arrived(self, decoded) -> None:
        self.decoded = decoded
        self.query_one(WaveformView).show_audio(decoded.waveform, decoded.duration)
        self._update_marks()
        self._load_into_player(autoplay=self.annotator_app.autoplay)

    def _load_into_player(self, *, autoplay: bool) -> None:
        if self.player is None or self.decoded is None or self.clip_state is None:
            return
        d = self.decoded
        try:
            self.player.load(d.samples, d.samplerate, key=self.clip_state.clip.name, gain=d.gain)
            self.player.speed = self.speed
            if (
                autoplay
                and self.player.available
                and sensitive_for(self).autoplay_allowed(self.clip_state.clip.id, self.flags)
            ):  # never a clip with a content warning
                self.player.play()
        except Exception as exc:
            self.audio_reason = f"no audio: {clean(exc)}"
        self.query_one(WaveformView).playhead = 0.0

    def on_audio_failed(self, msg: AudioFailed) -> None:
        if self.clip_state is None or msg.clip_id != self.clip_state.clip.id or self.busy:
            return
        self.busy = True
        self._transition(self.session.mark_unplayable, msg.reason)

    def on_player_ready(self, msg: PlayerReady) -> None:
        self.player = msg.player
        if msg.player is None:
            self.audio_reason = msg.reason or "no audio"
        else:
            msg.player.on_played = self.session.log_play
            self._load_into_player(autoplay=self.annotator_app.autoplay)
        self._refresh_status()

    def on_suggester_ready(self, msg: SuggesterReady) -> None:
        self.suggester = msg.suggester
        self.suggest_status = msg.reason or ""
        if self.suggester is not None and self.clip_state is not None:
            self.suggester.set_context(self.clip_state.clip.asr, self.clip_state.clip.alternatives)
        self._update_suggestions()

    # -- the editor ------------------------------------------------------------------------
    @on(TranscriptInput.Changed, "#editor")
    def _edited(self, event: TranscriptInput.Changed) -> None:
        if self.clip_state is not None:
            editor = self.query_one(TranscriptInput)
            self.session.edit(event.value, editor.cursor_position, clip_id=self.clip_state.clip.id)
        self._update_suggestions()

    @on(TranscriptInput.CursorMoved)
    def _cursor_moved(self, _event: TranscriptInput.CursorMoved) -> None:
        self._update_suggestions()

    def _fragment(self) -> tuple[str, int, int]:
        """The word being typed: (text before the cursor, word start, word end)."""
        editor = self.query_one(TranscriptInput)
        value, cur = editor.value, editor.cursor_position
        for a, b in word_spans(value):
            if a <= cur <= b:
                return value[a:cur], a, b
        return "", cur, cur

    def _update_suggestions(self) -> None:
        """Several events (value, cursor, new clip) often come together: compute once."""
        if not self._suggest_due:
            self._suggest_due = True
            self.call_after_refresh(self._update_suggestions_now)

    def _update_suggestions_now(self) -> None:
        self._suggest_due = False
        bar = self.query_one(SuggestionsBar)
        keys = [self._key("accept_suggestion")] + [
            self._key(f"suggestion_{n}") for n in range(2, 6)
        ]
        if self.suggester is None or self.clip_state is None:
            bar.show([], keys, status=self.suggest_status if self.clip_state else "")
            return
        fragment, a, b = self._fragment()
        alternatives: list[str] = []
        if b > a:
            editor = self.query_one(TranscriptInput)
            alternatives = word_alternatives(
                self.clip_state.clip, editor.value, editor.cursor_position
            )
        typed: list[str] = []
        if fragment.strip():
            try:
                typed = [s.text for s in self.suggester.suggest(fragment, limit=5)]
            except Exception:
                typed = []
        words = _rank_word_suggestions(fragment, alternatives, typed, self.clip_state.clip)
        utterance = None
        try:
            u = self.suggester.context_utterance()
            editor_value = self.query_one(TranscriptInput).value
            if u and u.strip() != editor_value.strip():
                utterance = u
        except Exception:
            utterance = None
        bar.show(
            words,
            keys,
            utterance=utterance,
            utterance_key=self._key("accept_utterance"),
            status="type to get suggestions",
        )

    def _key(self, bid: str) -> str:
        from earmark.app.screens.help import key_label

        keys = self.annotator_app.keymap.keys(bid)
        return key_label(keys[0]) if keys else "?"

    # -- timers ----------------------------------------------------------------------------
    def _autosave(self) -> None:
        if self.session.dirty:
            self._save_draft()

    def _tick(self) -> None:
        p = self.player
        if p is None or self.decoded is None:
            return
        try:
            # also after playback stops, so the playhead rests where the listener stopped
            self.query_one(WaveformView).playhead = round(p.position(), 2)
        except Exception:
            pass

    def _audio_state(self) -> str:
        p = self.player
        if p is None:
            return self.audio_reason
        if not p.available:
            return p.reason or "no audio"
        link = getattr(p, "link_state", None)
        if link and link != "connected":
            return link
        if self.clip_state is not None and self.clip_state.clip.playable and self.decoded is None:
            return "audio: decoding"
        return {
            "playing": "▶ playing",
            "paused": "❚❚ paused",
            "stopped": "■ stopped",
            "empty": "■ stopped",
        }.get(p.state, p.state)

    def _refresh_status(self) -> None:
        s = self.clip_state
        session = self.session
        clip_state = ""
        if s is not None and s.clip.status in ("done", "skipped"):
            clip_state = f"reopened ({s.clip.status})"
        info = StatusInfo(
            batch=s.clip.batch if s else "",
            position=s.position if s else 0,
            total=session.total,
            done_today=self.done_today,
            per_hour=session.clips_per_hour(),
            on_clip=session.seconds_on_clip() if s else 0.0,
            speed=self.speed,
            audio=self._audio_state() if s or self.player is not None else self.audio_reason,
            clip_state=clip_state,
            exposure=sensitive_for(self).meter(),
        )
        self.query_one(StatusLine).show(info)

    def _set_message(self, text: str) -> None:
        self.query_one("#message", TextBox).set(Content(clean(text)))

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
        duration = self.decoded.duration if self.decoded is not None else (s.clip.duration or 0.0)
        self.query_one(WaveformView).set_marks(words, flags, duration)

    # -- actions: moving on ------------------------------------------------------------------
    def _can_move(self) -> bool:
        return not self.busy

    def _sync_editor(self) -> None:
        if self.clip_state is None:
            return
        editor = self.query_one(TranscriptInput)
        self.session.edit(editor.value, editor.cursor_position, clip_id=self.clip_state.clip.id)

    def _go(self, fn, *args) -> None:
        if not self._can_move():
            return
        self.busy = True
        if self.player is not None:
            self.player.pause()
        self._transition(fn, *args)

    def action_submit(self) -> None:
        if self.clip_state is None or not self._can_move():
            return
        text = self.query_one(TranscriptInput).value
        if not text.strip():
            self._say(
                "The transcript is empty: type what you hear, or skip the clip.", severity="warning"
            )
            return
        self._sync_editor()
        self._go(self._submit_and_learn, text)

    def _submit_and_learn(self, text: str | None = None):
        """Submit (in the transition worker), then teach the suggester what was written.

        Learned words and whole utterances help on the very next clip, not after a restart:
        voice-assistant traffic repeats itself.
        """
        asr = self.clip_state.clip.asr if self.clip_state else ""
        state = self.session.submit(text) if text is not None else self.session.accept_asr()
        suggester = self.suggester
        if suggester is not None:
            try:
                suggester.add_transcript(text if text is not None else asr)
            except Exception:  # suggestions are a help; a failure here must not lose the submit
                pass
        return state

    def action_accept_asr(self) -> None:
        if self.clip_state is None:
            return
        if not self.clip_state.clip.asr.strip():
            self._say("There is no ASR guess to accept.", severity="warning")
            return
        self._go(self._submit_and_learn)

    def action_next_clip(self) -> None:
        if self.clip_state is None:
            return
        self._sync_editor()
        self._go(self.session.next_clip)

    def action_prev_clip(self) -> None:
        if self.clip_state is None:
            if self.session.current is None and not self.busy:
                self._go(self._last_clip)
            return
        self._sync_editor()
        self._go(self.session.prev_clip)

    def _last_clip(self):
        last = self.annotator_app.store.neighbour_playable(1 << 62, -1)
        return self.session.open(last) if last is not None else None

    def action_skip(self) -> None:
        if self.clip_state is None or self.busy:
            return
        if not self.clip_state.clip.playable:
            self._say("This clip is unplayable; it is skipped already.")
            return
        self._sync_editor()
        if self.player is not None:
            self.player.pause()

        def chosen(reason: str | None) -> None:
            if reason:
                self._go(self.session.skip, reason)

        self.app.push_screen(SkipScreen(), chosen)

    # -- actions: audio ----------------------------------------------------------------------
    def _player_ok(self) -> bool:
        p = self.player
        if p is None or not p.available:
            self._say(self._audio_state(), severity="warning", timeout=3)
            return False
        return self.decoded is not None

    def action_play_pause(self) -> None:
        if not self._player_ok():
            return
        if self.player.state in ("stopped", "empty"):
            self.player.play()
        else:
            self.player.toggle()
        self._refresh_status()

    def action_stop(self) -> None:
        if self._player_ok() and self.player.state == "playing":
            self.player.pause()
            self._refresh_status()

    def action_rewind(self) -> None:
        if self._player_ok():
            self.player.skip(-SEEK_STEP)
            self.query_one(WaveformView).playhead = self.player.position()

    def action_forward(self) -> None:
        if self._player_ok():
            self.player.skip(SEEK_STEP)
            self.query_one(WaveformView).playhead = self.player.position()

    def _set_speed(self, speed: float) -> None:
        self.speed = round(min(2.0, max(0.5, speed)), 2)
        if self.player is not None and self.player.available:
            self.player.speed = self.speed
        self._refresh_status()

    def action_slower(self) -> None:
        self._set_speed(self.speed - SPEED_STEP)

    def action_faster(self) -> None:
        self._set_speed(self.speed + SPEED_STEP)

    def action_normal_speed(self) -> None:
        self._set_speed(1.0)

    def action_replay_word(self) -> None:
        if self.clip_state is None:
            return
        editor = self.query_one(TranscriptInput)
        span = word_timing(self.clip_state.clip, editor.value, editor.cursor_position)
        if span is None:
            self._say("No timing for the word at the cursor.", timeout=3)
            return
        if self._player_ok():
            self.player.play(max(0.0, span[0] - 0.05), span[1] + 0.05)

    # -- actions: editing help ---------------------------------------------------------------
    def action_accept_suggestion(self) -> None:
        self.action_suggestion(1)

    def action_suggestion(self, n: int) -> None:
        if self._suggest_due:  # keys typed just before: take what they now suggest
            self._update_suggestions_now()
        words = self.query_one(SuggestionsBar).words
        if not 1 <= n <= len(words):
            return
        _frag, a, b = self._fragment()
        self.query_one(TranscriptInput).replace_word(a, b, words[n - 1])

    def action_accept_utterance(self) -> None:
        if self._suggest_due:
            self._update_suggestions_now()
        u = self.query_one(SuggestionsBar).utterance
        if u:
            self.query_one(TranscriptInput).load(u, len(u))

    def action_use_alternative(self) -> None:
        if self.clip_state is None:
            return
        options = [self.clip_state.clip.asr, *self.clip_state.clip.alternatives]
        if len(options) < 2:
            self._say("The recogniser gave no alternatives for this clip.", timeout=3)
            return
        self._alt_index = (self._alt_index + 1) % len(options)
        if self._alt_index == 0 and options[0] == self.query_one(TranscriptInput).value:
            self._alt_index = 1
        text = clean(options[self._alt_index])
        self.query_one(TranscriptInput).load(text, len(text))

    def _jump_low(self, step: int) -> None:
        if self.clip_state is None:
            return
        editor = self.query_one(TranscriptInput)
        offsets = low_confidence_offsets(self.clip_state.clip, editor.value)
        if not offsets:
            self._say("The recogniser was sure of every word here.", timeout=3)
            return
        cur = editor.cursor_position
        if step > 0:
            after = [o for o in offsets if o > cur]
            target = after[0] if after else offsets[0]
        else:
            before = [o for o in offsets if o < cur]
            target = before[-1] if before else offsets[-1]
        editor.cursor_position = target

    def action_next_low_conf(self) -> None:
        self._jump_low(+1)

    def action_prev_low_conf(self) -> None:
        self._jump_low(-1)

    # -- actions: sensitive content (the escalation area refines these) -----------------------
    def playhead(self) -> float:
        p = self.player
        if p is not None and self.decoded is not None:
            try:
                return round(float(p.position()), 2)
            except Exception:
                return 0.0
        return 0.0

    def _record_flag(self, kind: str) -> int | None:
        s = self.clip_state
        if s is None:
            return None
        at = self.playhead()
        app = self.annotator_app
        flag_id = app.store.add_flag(s.clip.id, kind, app.session.user, start=at, end=at)
        self.flags = app.store.flags_for_clip(s.clip.id)
        self._update_marks()
        self._say(f"Flagged {kind} at {at:.1f} s.", timeout=3)
        return flag_id

    # The flows (panel, break, escalate form, exposure, own escalations): earmark/app/sensitive.py
    def action_flag_critical(self) -> None:
        sensitive_for(self).flag_critical()

    def action_flag_distressing(self) -> None:
        sensitive_for(self).flag_distressing()

    def action_escalate(self) -> None:
        sensitive_for(self).escalate()

    def action_my_escalations(self) -> None:
        sensitive_for(self).show_mine()

    def action_take_break(self) -> None:
        sensitive_for(self).take_break()

    # -- actions: the rest -----------------------------------------------------------------
    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.annotator_app.keymap))

    async def action_quit(self) -> None:
        self._sync_editor()
        await self.app.action_quit()


def _problem(message: str, path: str) -> str:
    """An AudioError names the file first; the status line has room only for the problem."""
    for prefix in (f"{path}: ",):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message
