"""Textual bindings, the footer and key labels, all derived from earmark/command_table.py.

Every command is a priority binding on the annotate screen (so it works while the editor has
focus) whose action runs after the keys typed before it. Keys are written as people write
them in keymaps; the few that terminals send differently get their terminal spelling added
here: ctrl+space arrives as NUL, which Textual reports as ctrl+@.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from earmark.command_table import COMMANDS
from earmark.keymap import Keymap, load_keymap

# What a terminal sends for a key, when Textual names it differently.
TERMINAL_ALIASES = {"ctrl+space": "ctrl+@"}
_SHORT = {
    "pagedown": "pgdn",
    "pageup": "pgup",
    "escape": "esc",
    "full_stop": ".",
    "comma": ",",
    "minus": "-",
    "equals_sign": "=",
    "slash": "/",
    "question_mark": "?",
}


def key_label(key: str) -> str:
    """A key as people write it: pagedown -> pgdn, f9 -> F9, ctrl+space stays."""
    parts = key.split("+")
    base = parts[-1]
    if base.startswith("f") and base[1:].isdigit():
        base = base.upper()
    return "+".join([*parts[:-1], _SHORT.get(base, base)])


def textual_keys(keys: str) -> str:
    """Keymap keys plus the names Textual gives them when a terminal sends them."""
    out: list[str] = []
    for key in (k.strip() for k in keys.split(",")):
        if key:
            out.append(key)
            alias = TERMINAL_ALIASES.get(key)
            if alias:
                out.append(alias)
    return ",".join(dict.fromkeys(out))


def screen_bindings() -> list[BindingType]:
    """One priority binding per command with its default keys; footer ones first."""
    defaults = load_keymap(None).bindings
    ordered = [c for c in COMMANDS if c.footer] + [c for c in COMMANDS if not c.footer]
    return [
        Binding(
            textual_keys(defaults[c.id]),
            f"cmd({c.screen_action!r})",
            c.label,
            show=c.footer,
            priority=True,
            tooltip=c.description,
            id=c.id,
        )
        for c in ordered
    ]


def keymap_overrides(keymap: Keymap) -> dict[str, str]:
    """For App.set_keymap: only the ids whose keys differ from the defaults. Textual re-applies
    the keymap to the binding chain on every key press, at a cost that grows with its size."""
    default = load_keymap(None).bindings
    return {
        bid: textual_keys(keys) for bid, keys in keymap.bindings.items() if default.get(bid) != keys
    }


def first_key(keymap: Keymap, binding_id: str) -> str:
    """The label of the first key of a command, for hints on screen ("?" when it has none)."""
    keys = keymap.keys(binding_id)
    return key_label(keys[0]) if keys else "?"
