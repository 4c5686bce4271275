"""A key card beside the work on wide terminals: the commands that matter, with their keys."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from earmark.keymap import Keymap

CARD = (
    ("submit", "Submit, next clip"),
    ("accept_asr", "ASR is right"),
    ("skip", "Skip (why?)"),
    ("play_pause", "Play / pause"),
    ("replay_word", "Hear word at cursor"),
    ("rewind", "Back 2 s"),
    ("forward", "Forward 2 s"),
    ("slower", "Slower"),
    ("faster", "Faster"),
    ("accept_suggestion", "Take suggestion"),
    ("next_low_conf", "Next unsure word"),
    ("use_alternative", "ASR alternative"),
    ("next_clip", "Next clip"),
    ("prev_clip", "Previous clip"),
    ("flag_critical", "Flag personal data"),
    ("flag_distressing", "Flag distressing"),
    ("escalate", "Escalate"),
    ("help", "All keys"),
    ("quit", "Quit (draft kept)"),
)


def card_content(keymap: Keymap, label) -> Content:
    lines = []
    for bid, what in CARD:
        keys = keymap.keys(bid)
        key = label(keys[0]) if keys else "-"
        lines.append(Content.assemble((f"{key:>11}", "bold"), "  ", what))
    return Content("\n").join(lines)


class KeysCard(Static):
    def __init__(self, keymap: Keymap, label, **kwargs) -> None:
        super().__init__(card_content(keymap, label), markup=False, **kwargs)
