"""Every annotator command in one table: id, what it does, default keys, footer label, group.

Bindings, the footer, the key card, the help screen (F1) and keymap validation are all
derived from this table, so a command is added by adding one row here and one
`action_<id>` method on the annotate screen. keymaps/default.toml spells out the same default
keys for people to read and copy; a test keeps the two equal.

No Textual import: keymap validation runs before the app starts.
"""

from __future__ import annotations

from dataclasses import dataclass

# The order of the groups is the order of the help screen.
GROUPS = ("audio", "finishing", "editing", "sensitive", "general")


@dataclass(frozen=True)
class Command:
    id: str
    description: str  # one line in the help screen
    keys: str  # default keys, comma-separated, Textual syntax
    label: str  # short, for the footer and the key card
    group: str
    public: bool = False  # named in the public contract: stable for user keymaps
    footer: bool = False  # shown in the footer (which has room for about six at 80 columns)
    card: bool = False  # shown in the key card beside the work on wide terminals
    action: str = ""  # the screen action when it is not the id itself

    @property
    def screen_action(self) -> str:
        return self.action or self.id


def _suggestion(n: int) -> Command:
    return Command(
        f"suggestion_{n}",
        f"Take suggestion {n}",
        f"alt+{n}",
        f"Sugg {n}",
        "editing",
        action=f"suggestion({n})",
    )


COMMANDS: tuple[Command, ...] = (
    # finishing a clip
    Command("submit", "Submit the transcript, next clip", "enter", "Submit", "finishing",
            public=True, footer=True, card=True),
    Command("accept_asr", "Submit the ASR guess (asks first if you edited)", "f8,ctrl+g",
            "ASR ok", "finishing", public=True, footer=True, card=True),
    Command("skip", "Skip the clip, with a reason", "f9,alt+s", "Skip", "finishing",
            public=True, footer=True, card=True),
    Command("next_clip", "Next clip (without submitting)", "pagedown,ctrl+n", "Next",
            "finishing", public=True, card=True),
    Command("prev_clip", "Previous clip (without submitting)", "pageup,ctrl+p", "Prev",
            "finishing", public=True, card=True),
    # audio
    Command("play_pause", "Play / pause the clip", "ctrl+space,f5", "Play", "audio",
            public=True, footer=True, card=True),
    Command("stop", "Stop (pause, stay put)", "f11", "Stop", "audio"),
    Command("rewind", "Back 2 seconds", "f2,ctrl+r", "Back", "audio", public=True, card=True),
    Command("forward", "Forward 2 seconds", "f3,ctrl+f", "Fwd", "audio", public=True,
            card=True),
    Command("slower", "Play slower", "f6,ctrl+down", "Slower", "audio", public=True, card=True),
    Command("faster", "Play faster", "f7,ctrl+up", "Faster", "audio", public=True, card=True),
    Command("normal_speed", "Normal speed", "alt+0", "1x", "audio"),
    Command("replay_word", "Play the word under the cursor", "f4,ctrl+o", "Word", "audio",
            public=True, card=True),
    # editing help
    Command("accept_suggestion", "Take the first suggestion for the word you are typing",
            "tab", "Suggest", "editing", public=True, card=True),
    *(_suggestion(n) for n in range(1, 6)),
    Command("accept_utterance", "Use the whole-utterance suggestion", "alt+u", "Seen",
            "editing", public=True),
    Command("use_alternative", "Use the next ASR alternative (whole transcript)", "alt+a",
            "Alt", "editing", public=True, card=True),
    Command("undo", "Undo the last change to the transcript", "ctrl+z", "Undo", "editing",
            public=True, card=True),
    Command("redo", "Redo what undo took back", "ctrl+y", "Redo", "editing", public=True),
    Command("next_low_conf", "Cursor to the next unsure word", "alt+right,alt+n", "Unsure→",
            "editing", card=True),
    Command("prev_low_conf", "Cursor to the previous unsure word", "alt+left,alt+p", "←Unsure",
            "editing"),
    Command("next_marked", "Cursor to the next word the audio did not support (the check)",
            "alt+i", "Heard?", "editing", card=True),
    # sensitive content
    Command("flag_critical", "Flag critical (personal data) at the playhead", "alt+c",
            "Critical", "sensitive", public=True, card=True),
    Command("flag_distressing", "Flag distressing content at the playhead", "alt+d",
            "Distress", "sensitive", public=True, card=True),
    Command("escalate", "Escalate the clip to a reviewer", "alt+e", "Escalate", "sensitive",
            public=True, card=True),
    Command("my_escalations", "Your escalations: state and outcome", "alt+m", "Mine",
            "sensitive"),
    Command("take_break", "Take a break (and opt out of content)", "alt+t", "Break",
            "sensitive", public=True),
    Command("feedback", "Reviews of your transcripts, and your gold score", "alt+o",
            "Feedback", "general"),
    # the rest
    Command("help", "Every key", "f1,alt+h", "Help", "general", public=True, footer=True,
            card=True),
    Command("quit", "Save the draft and quit", "ctrl+q", "Quit", "general", public=True,
            footer=True, card=True),
)  # fmt: skip

# `earmark qa`, the second-pass review screen: the reviewer types nothing there except in its
# forms, so plain letters are fine. Keymap files set these in a [qa] table (app/qa/keys.py).
QA_COMMANDS: tuple[Command, ...] = (
    Command("qa_play", "Play / pause the clip", "space,ctrl+space,f5", "Play", "review",
            footer=True),
    Command("qa_play_word", "Play the selected word (from the ASR timings)", "w,f4", "Word",
            "review", footer=True),
    Command("qa_next_word", "Select the next word", "right,l", "Word→", "review"),
    Command("qa_prev_word", "Select the previous word", "left,h", "←Word", "review"),
    Command("qa_accept", "Accept the transcript as it is", "a", "Accept", "review",
            footer=True),
    Command("qa_fix", "Fix the transcript, then accept it", "f,e", "Fix", "review",
            footer=True),
    Command("qa_reject", "Reject the transcript, with a short reason", "r", "Reject", "review",
            footer=True),
    Command("qa_refresh", "Reload the queue from the database", "ctrl+r", "Reload", "review"),
    Command("qa_help", "Every key", "f1,question_mark", "Help", "review", footer=True),
    Command("qa_quit", "Quit", "q,ctrl+q", "Quit", "review", footer=True),
)  # fmt: skip
QA_IDS: tuple[str, ...] = tuple(c.id for c in QA_COMMANDS)

PUBLIC_IDS: tuple[str, ...] = tuple(c.id for c in COMMANDS if c.public)
ALL_IDS: tuple[str, ...] = tuple(c.id for c in COMMANDS)
DESCRIPTIONS: dict[str, str] = {c.id: c.description for c in COMMANDS}
DEFAULT_KEYS: dict[str, str] = {c.id: c.keys for c in COMMANDS}
