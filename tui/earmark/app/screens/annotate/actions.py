"""The annotate screen's commands for audio, finishing a clip and editing help.

A mixin of AnnotateScreen, kept apart so each file stays about one thing: the screen draws
and routes, these say what each key does. Every change to the transcript made here goes
through the editor's undoable operations, so ctrl+z takes back a suggestion, an alternative,
a whole-utterance replacement or the ASR guess just as it takes back typing.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from earmark.app.screens.annotate.suggestions import Learned
from earmark.app.widgets.playback import SEEK_STEP, SPEED_STEP
from earmark.redaction import unanchored
from earmark.session import ClipState, low_confidence_offsets, word_timing
from earmark.textsafe import clean

if TYPE_CHECKING:
    from earmark.app.screens.annotate.suggestions import Suggestions
    from earmark.app.widgets.editor import TranscriptInput
    from earmark.app.widgets.playback import Playback
    from earmark.session import Session

PREVIEW = 60  # characters of a dropped edit shown before F8 confirms


def dropped(edit: str, guess: str) -> str:
    """What of `edit` the guess would replace: its words that differ, runs joined by "…"."""
    mine, theirs = edit.split(), guess.split()
    ops = difflib.SequenceMatcher(a=theirs, b=mine, autojunk=False).get_opcodes()
    runs = [" ".join(mine[j1:j2]) for tag, _a, _b, j1, j2 in ops if tag != "equal" and j2 > j1]
    text = " … ".join(runs) if runs else "words you deleted come back"
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


class EditingActions:
    if TYPE_CHECKING:
        session: Session
        clip_state: ClipState | None
        busy: bool
        suggest: Suggestions
        _suggest_due: bool
        _asr_armed: int | None

        @property
        def editor(self) -> TranscriptInput: ...
        @property
        def playback(self) -> Playback: ...
        def say(self, text: str, timeout: float = 4, severity: Any = "information") -> None: ...
        def key(self, binding_id: str) -> str: ...
        def show_message(self, text: str) -> None: ...
        def word_to_replay(self, asr: tuple[float, float] | None) -> tuple[float, float] | None: ...
        def sync_editor(self) -> None: ...
        def refresh_status(self) -> None: ...
        def _update_suggestions_now(self) -> None: ...
        def go(
            self, step: Callable[..., ClipState | None], *args: Any, learned: Learned | None = None
        ) -> None: ...

    alt_index = -1
    # (clip, text) a submit was asked about because marked words left the transcript: the same
    # key on the same text again submits; any other text asks again.
    _redaction_armed: tuple[int, str] | None = None

    def _redaction_confirmed(self, clip_id: int, text: str) -> bool:
        """A clip flagged critical is submitted only while every word marked for redaction is
        still in the transcript, or after the annotator has been told which are not and pressed
        the key again (the export then withholds the whole text rather than guess)."""
        lost = unanchored(self.session.redaction_marks(clip_id), text)
        if not lost or self._redaction_armed == (clip_id, text):
            self._redaction_armed = None
            return True
        self._redaction_armed = (clip_id, text)
        words = ", ".join(clean(w) for w in lost[:5]) + (" …" if len(lost) > 5 else "")
        self.show_message(
            f"Marked words no longer in the transcript: {words}. "
            f"{self.key('flag_critical')} marks again; the same key again submits "
            "and the export withholds the whole text."
        )
        return False

    def _heard_enough(self) -> bool:
        """The batch's listen-first rule (session/listening.py): when too little of the clip
        has been heard, say how much is left and keep everything as it is."""
        hint = f" {self.key('play_pause')} plays it."
        refusal = self.session.listen_refusal(self.playback.live_stretch(), hint)
        if refusal is None:
            return True
        self.show_message(refusal)
        return False

    # -- finishing a clip ----------------------------------------------------------------------
    def action_submit(self) -> None:
        s = self.clip_state
        if s is None or self.busy:
            return
        text = self.editor.value
        if not text.strip():
            self.say("The transcript is empty: type what you hear, or skip the clip.")
            return
        if not self._redaction_confirmed(s.clip.id, text) or not self._heard_enough():
            return
        self.sync_editor()
        self.go(self.session.submit, text, learned=Learned(text, s.clip.asr, s.clip.id))

    def action_accept_asr(self) -> None:
        """The guess is right. When the transcript was edited, the first press puts the guess
        in the editor (ctrl+z brings the edit back) and says what it replaced; the second
        press submits it. Nothing typed is dropped without a second, deliberate key."""
        s = self.clip_state
        if s is None or self.busy:
            return
        asr = clean(s.clip.asr)
        if not asr.strip():
            self.say("There is no ASR guess to accept.")
            return
        value = self.editor.value
        if " ".join(value.split()) == " ".join(asr.split()) or self._asr_armed == s.clip.id:
            if not self._redaction_confirmed(s.clip.id, asr) or not self._heard_enough():
                return
            self._asr_armed = None
            self.sync_editor()
            self.go(self.session.accept_asr, learned=Learned(asr, asr, s.clip.id))
            return
        self._asr_armed = s.clip.id
        self.editor.replace_all(asr)
        undo, again = self.key("undo"), self.key("accept_asr")
        lost = f"your edit («{dropped(value, asr)}»)" if value.strip() else "an empty transcript"
        self.show_message(
            f"The ASR guess replaced {lost}. {again} again submits it; "
            f"{undo} brings your text back."
        )

    def action_next_clip(self) -> None:
        if self.clip_state is None:
            return
        self.sync_editor()
        self.go(self.session.next_clip)

    def action_prev_clip(self) -> None:
        self.sync_editor()
        self.go(self.session.prev_clip)  # from the end of the queue: the last clip

    # -- audio -------------------------------------------------------------------------------
    def _audio_ok(self) -> bool:
        if self.playback.ready():
            return True
        self.say(self.playback.state_text(), timeout=3, severity="warning")
        return False

    def action_play_pause(self) -> None:
        if self._audio_ok():
            self.playback.play_pause()
            self.refresh_status()

    def action_stop(self) -> None:
        if self._audio_ok():
            self.playback.pause()
            self.refresh_status()

    def action_rewind(self) -> None:
        if self._audio_ok():
            self.playback.seek(-SEEK_STEP)

    def action_forward(self) -> None:
        if self._audio_ok():
            self.playback.seek(SEEK_STEP)

    def _set_speed(self, speed: float) -> None:
        self.playback.set_speed(speed)
        self.refresh_status()

    def action_slower(self) -> None:
        self._set_speed(self.playback.speed - SPEED_STEP)

    def action_faster(self) -> None:
        self._set_speed(self.playback.speed + SPEED_STEP)

    def action_normal_speed(self) -> None:
        self._set_speed(1.0)

    def action_replay_word(self) -> None:
        if self.clip_state is None:
            return
        editor = self.editor
        span = word_timing(self.clip_state.clip, editor.value, editor.cursor_position)
        span = self.word_to_replay(span)
        if span is None:
            self.say("No timing for the word at the cursor.", timeout=3)
        elif self._audio_ok():
            self.playback.play_span(*span)
            self.refresh_status()

    # -- editing help ------------------------------------------------------------------------
    def action_accept_suggestion(self) -> None:
        self.action_suggestion(1)

    def action_suggestion(self, n: int) -> None:
        if self.clip_state is None:
            return
        if self._suggest_due:  # keys typed just before: take what they now suggest
            self._update_suggestions_now()
        taken = self.suggest.word(self.editor.value, n)
        if taken is not None:
            self._replace(*taken)

    def action_accept_utterance(self) -> None:
        if self.clip_state is None:
            return
        if self._suggest_due:
            self._update_suggestions_now()
        taken = self.suggest.utterance()
        if taken is None:
            self.say("No whole-utterance suggestion for this clip.", timeout=2)
        else:
            self._replace(*taken)

    def _replace(self, text: str, cursor: int) -> None:
        """One undoable step: the whole text replaced, the cursor where the rule put it."""
        self.editor.replace_all(text)
        self.editor.cursor_position = cursor

    def action_use_alternative(self) -> None:
        if self.clip_state is None:
            return
        options = [self.clip_state.clip.asr, *self.clip_state.clip.alternatives]
        if len(options) < 2:
            self.say("The recogniser gave no alternatives for this clip.", timeout=3)
            return
        self.alt_index = (self.alt_index + 1) % len(options)
        if self.alt_index == 0 and options[0] == self.editor.value:
            self.alt_index = 1
        self.editor.replace_all(clean(options[self.alt_index]))

    def action_undo(self) -> None:
        if self.clip_state is not None and not self.editor.undo():
            self.say("Nothing to undo on this clip.", timeout=2)

    def action_redo(self) -> None:
        if self.clip_state is not None and not self.editor.redo():
            self.say("Nothing to redo.", timeout=2)

    def _jump_low(self, step: int) -> None:
        if self.clip_state is None:
            return
        editor = self.editor
        offsets = low_confidence_offsets(self.clip_state.clip, editor.value)
        if not offsets:
            self.say("The recogniser was sure of every word here.", timeout=3)
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
