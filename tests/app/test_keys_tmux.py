"""Every key of every shipped keymap, sent to the real `earmark annotate` as a terminal sends it.

tmux `send-keys` turns a key name into the bytes an xterm-compatible terminal sends (NUL for
ctrl+space, ESC+letter for alt chords, CSI sequences for function keys and modified arrows),
so each key goes through Textual's own parser, exactly as over SSH. Each command is checked
by what it visibly does on the screen.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from earmark.app.screens.annotate.listening import CHOICE_SETTLE
from earmark.keymap import ALL_IDS, load_keymap
from tests.support import build_workspace, needs_tmux
from tests.tmux import playhead_col, tmux_key

pytestmark = needs_tmux
ROOT = Path(__file__).resolve().parents[2]
KEYMAPS = sorted(p.stem for p in (ROOT / "keymaps").glob("*.toml"))
PLACEHOLDER = "transcript"  # what the empty editor shows


def status(screen: str) -> str:
    return screen.splitlines()[0]


def editor_text(screen: str) -> str:
    """The transcript as shown: the rows between the editor's side bars, joined."""
    rows = [ln for ln in screen.splitlines() if "▊" in ln and "▎" in ln]
    inner = [ln.split("▊", 1)[1].rsplit("▎", 1)[0] for ln in rows]
    text = " ".join(r.strip() for r in inner if r.strip(" ▔▁"))
    return "" if text == PLACEHOLDER else text


def bar_words(screen: str) -> dict[str, str]:
    """Key label -> word, from the suggestions line."""
    line = next((ln for ln in screen.splitlines() if re.search(r"\btab  \S", ln)), "")
    return dict(re.findall(r"(tab|alt\+\d)  (\S+)", line))


class Keys:
    """The running app in one terminal, with a check for every command."""

    def __init__(self, term, keymap: str) -> None:
        self.t = term
        self.km = load_keymap(keymap)

    def press(self, key: str) -> None:
        self.t.keys(tmux_key(key))

    def clear_editor(self) -> None:
        self.t.keys("End")
        self.t.keys("C-u")  # the editor's own "delete to the start"
        self.t.wait_until(lambda s: editor_text(s) == "", "an empty editor")

    def modal(self, key: str, shows: str) -> None:
        self.press(key)
        self.t.wait_for(shows)
        self.t.keys("Escape")
        self.t.wait_gone(shows)

    # -- audio ---------------------------------------------------------------------------
    def play_pause(self, key: str) -> None:
        self.press(key)
        self.t.wait_until(lambda s: "▶ playing" in status(s), "playing")
        self.press(key)
        self.t.wait_until(lambda s: "❚❚ paused" in status(s), "paused")

    def stop(self, key: str) -> None:
        self.press(self.km.keys("play_pause")[0])
        self.t.wait_until(lambda s: "▶ playing" in status(s), "playing")
        self.press(key)
        self.t.wait_until(lambda s: "❚❚ paused" in status(s), "paused by stop")

    def _from_the_start(self) -> int:
        """Open the clip afresh (next, then previous): the playhead rests at its start."""
        self._moves(self.km.keys("next_clip")[0], +1)
        self._moves(self.km.keys("prev_clip")[0], -1)
        return playhead_col(self.t.wait_for("▲"))

    def forward(self, key: str) -> None:
        before = self._from_the_start()
        self.press(key)
        self.t.wait_until(lambda s: playhead_col(s) > before, "the playhead moving on")

    def rewind(self, key: str) -> None:
        start = self._from_the_start()
        self.press(self.km.keys("forward")[0])
        screen = self.t.wait_until(lambda s: playhead_col(s) > start, "the playhead moving on")
        before = playhead_col(screen)
        self.press(key)
        self.t.wait_until(lambda s: playhead_col(s) < before, "the playhead moving back")

    def slower(self, key: str) -> None:
        self.press(key)
        self.t.wait_until(lambda s: "0.9x" in status(s), "0.9x")
        self.press(self.km.keys("normal_speed")[0])
        self.t.wait_until(lambda s: "x │" not in status(s), "normal speed")

    def faster(self, key: str) -> None:
        self.press(key)
        self.t.wait_until(lambda s: "1.1x" in status(s), "1.1x")
        self.press(self.km.keys("normal_speed")[0])
        self.t.wait_until(lambda s: "x │" not in status(s), "normal speed")

    def normal_speed(self, key: str) -> None:
        self.press(self.km.keys("slower")[0])
        self.t.wait_until(lambda s: "0.9x" in status(s), "0.9x")
        self.press(key)
        self.t.wait_until(lambda s: "0.9x" not in status(s), "normal speed")

    def replay_word(self, key: str) -> None:
        self.t.keys("End")
        self.press(key)
        self.t.wait_until(lambda s: "▶ playing" in status(s), "the word playing", timeout=10)

    # -- editing help --------------------------------------------------------------------
    def _slot(self, key: str, label: str) -> None:
        self.clear_editor()
        self.t.keys("th", literal=True)
        since = ["", 0.0]  # the screen, and since when it has been the same

        def offered(screen: str) -> bool:  # the bar for "th", drawn and steady
            if screen != since[0]:
                since[:] = [screen, time.monotonic()]
            ready = editor_text(screen) == "th" and label in bar_words(screen)
            # steady for longer than the audio's answer may still reorder it (CHOICE_SETTLE)
            return ready and time.monotonic() - float(since[1]) > 2 * CHOICE_SETTLE

        word = bar_words(self.t.wait_until(offered, f"a word for {label}"))[label]
        self.press(key)
        self.t.wait_until(lambda s: editor_text(s) == word, f"{word!r} taken")

    def accept_suggestion(self, key: str) -> None:
        self._slot(key, "tab")

    def suggestion(self, n: int, key: str) -> None:
        self._slot(key, "tab" if n == 1 else f"alt+{n}")

    def accept_utterance(self, key: str) -> None:
        self.press(key)
        self.t.wait_for("No whole-utterance suggestion")

    def use_alternative(self, key: str) -> None:
        self.clear_editor()
        self.press(key)
        self.t.wait_until(lambda s: editor_text(s).startswith("and "), "the guess")
        self.press(key)
        self.t.wait_until(lambda s: editor_text(s).startswith("um "), "the alternative")

    def undo(self, key: str) -> None:
        self.clear_editor()
        self.t.keys("abc", literal=True)
        self.t.wait_until(lambda s: editor_text(s) == "abc", "typing")
        self.press(self.km.keys("use_alternative")[0])
        self.t.wait_until(lambda s: editor_text(s).startswith(("and ", "um ")), "replaced")
        self.press(key)
        self.t.wait_until(lambda s: editor_text(s) == "abc", "the typing back")

    def redo(self, key: str) -> None:
        self.undo(self.km.keys("undo")[0])
        self.press(key)
        self.t.wait_until(lambda s: editor_text(s).startswith(("and ", "um ")), "redone")

    def _low_conf(self, key: str) -> None:
        self.clear_editor()
        self.press(self.km.keys("use_alternative")[0])  # a whole guess back in the editor
        self.t.wait_until(lambda s: editor_text(s).startswith(("and ", "um ")), "a guess")
        self.press(key)
        self.t.keys("Q", literal=True)  # typed where the cursor went: before an unsure word
        self.t.wait_until(lambda s: re.search(r" Q[a-z]", editor_text(s)), "a jump to a word")
        self.t.keys("BSpace")
        self.t.wait_until(lambda s: "Q" not in editor_text(s), "the Q deleted")

    def next_low_conf(self, key: str) -> None:
        self._low_conf(key)

    def prev_low_conf(self, key: str) -> None:
        self._low_conf(key)

    def next_marked(self, key: str) -> None:
        """The cursor goes to a word the acoustic check marked, or the annotator is told why
        not (none marked, still checking, or the check off on this machine)."""
        self.t.keys("End")
        self.press(key)
        told = ("No word is marked", "Still checking", "check is off")
        screen = self.t.wait_until(
            lambda s: any(t in s for t in told) or "to hear again" in status(s), "an answer"
        )
        if any(t in screen for t in told):
            return
        self.t.keys("Q", literal=True)  # marks are shown: the cursor went to one
        screen = self.t.wait_until(lambda s: "Q" in editor_text(s), "Q typed")
        assert not editor_text(screen).endswith("Q"), screen
        self.t.keys("BSpace")
        self.t.wait_until(lambda s: "Q" not in editor_text(s), "the Q deleted")

    # -- sensitive content, help ----------------------------------------------------------
    def flag_critical(self, key: str) -> None:
        self.modal(key, "Recorded; refine")

    def flag_distressing(self, key: str) -> None:
        self.modal(key, "on break")

    def escalate(self, key: str) -> None:
        self.modal(key, "to a reviewer")

    def my_escalations(self, key: str) -> None:
        self.modal(key, "esc: back")

    def take_break(self, key: str) -> None:
        self.modal(key, "on break")

    def feedback(self, key: str) -> None:
        self.modal(key, "None of your clips has been reviewed yet")

    def help(self, key: str) -> None:
        self.modal(key, "esc closes")

    # -- moving on -----------------------------------------------------------------------
    def _position(self) -> int:
        return int(re.search(r"clip (\d+) of", status(self.t.screen())).group(1))

    def _moves(self, key: str, step: int) -> None:
        before = self._position()
        self.press(key)
        self.t.wait_for(f"clip {before + step} of")

    def next_clip(self, key: str) -> None:
        self._moves(key, +1)
        self._moves(self.km.keys("prev_clip")[0], -1)

    def prev_clip(self, key: str) -> None:
        self._moves(self.km.keys("next_clip")[0], +1)
        self._moves(key, -1)

    def skip(self, key: str) -> None:
        self.modal(key, "Skip this clip")

    def submit(self, key: str) -> None:
        self.clear_editor()
        self.t.keys("typed here", literal=True)
        self._moves(key, +1)

    def accept_asr(self, key: str) -> None:
        self._moves(key, +1)

    def quit(self, key: str) -> None:
        self.press(key)
        self.t.wait_dead()

    def check(self, bid: str) -> Callable[[str], None]:
        if bid.startswith("suggestion_"):
            n = int(bid.rsplit("_", 1)[1])
            return lambda key: self.suggestion(n, key)
        return getattr(self, bid)


ORDER = [
    "play_pause", "stop", "forward", "rewind", "slower", "faster", "normal_speed",
    "replay_word", "accept_suggestion", *[f"suggestion_{n}" for n in range(1, 6)],
    "accept_utterance", "use_alternative", "undo", "redo", "next_low_conf", "prev_low_conf",
    "next_marked", "flag_critical", "flag_distressing", "escalate", "my_escalations", "feedback",
    "take_break", "help",
    "next_clip", "prev_clip", "skip", "submit", "accept_asr", "quit",
]  # fmt: skip


def test_the_order_names_every_command():
    assert sorted(ORDER) == sorted(ALL_IDS)


@pytest.mark.parametrize("keymap", KEYMAPS)
def test_every_key_of_the_keymap_works_in_a_terminal(term, store, db_path, realdata, keymap):
    build_workspace(store, unplayable=False)
    store.close()
    argv = [sys.executable, "-m", "earmark", "annotate", "--db", str(db_path), "--user", "ann"]
    # a silent output that keeps real time: playing lasts as long as the clip
    env = {"EARMARK_OUTPUT": "null"}
    term.start([*argv, "--no-autoplay", "--keymap", keymap], width=100, height=30, env=env)
    screen = term.ready("clip 1 of 5")
    term.wait_until(lambda s: "stopped" in status(s), "audio ready")
    keys = Keys(term, keymap)
    tested = []
    for bid in ORDER:
        for key in keys.km.keys(bid):
            if bid == "quit" and key != keys.km.keys("quit")[-1]:
                continue  # only the last quit key can be pressed: the first one ends the app
            keys.check(bid)(key)
            tested.append((bid, key))
    assert {bid for bid, _ in tested} == set(ALL_IDS), screen
