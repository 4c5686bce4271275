"""The review screen's keys: earmark/command_table.py's QA_COMMANDS, with a keymap's [qa]
table laid over them (default.toml, then the file given with --keymap).

Ids and keys are checked before the screen starts, in one line each, as for the annotator;
plain letters are allowed here because nothing on the review screen takes typing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.binding import Binding, BindingType

from earmark.app.bindings import textual_keys
from earmark.command_table import QA_COMMANDS, QA_IDS
from earmark.config import keymaps_dir
from earmark.errors import UserError
from earmark.keymap import check_key, normalize_key, resolve

_PLAIN = "a plain character"


def _read(path: Path) -> dict[str, str]:
    try:
        with path.open("rb") as fh:
            table = tomllib.load(fh).get("qa", {})
    except FileNotFoundError:
        raise UserError(f"keymap {path}: no such file") from None
    except OSError as exc:
        raise UserError(f"keymap {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"keymap {path}: not valid TOML ({exc})") from None
    if not isinstance(table, dict):
        raise UserError(f'keymap {path}: [qa] must be a table (id = "key")')
    out: dict[str, str] = {}
    for bid, value in table.items():
        if bid not in QA_IDS:
            raise UserError(f"keymap {path}: unknown review key id {bid!r} in [qa]")
        if not isinstance(value, str):
            raise UserError(f'keymap {path}: {bid} must be a string of keys, like "a,f8"')
        keys = []
        for k in value.split(","):
            problem = check_key(k)
            if problem and not problem.startswith(_PLAIN):
                raise UserError(f"keymap {path}: {bid} = {k.strip()!r}: {problem}")
            keys.append(normalize_key(k))
        out[bid] = ",".join(dict.fromkeys(keys))
    return out


def qa_keys(name_or_file: str | None = None) -> dict[str, str]:
    """Every review command's keys: the table's defaults, default.toml's, then the user's."""
    keys = {c.id: c.keys for c in QA_COMMANDS}
    default = keymaps_dir() / "default.toml"
    if default.is_file():
        keys.update(_read(default))
    path = resolve(name_or_file)
    if path is not None:
        keys.update(_read(path))
    return keys


def qa_bindings() -> list[BindingType]:
    """Priority bindings (the queue table must not take arrows or space first), footer first."""
    ordered = [c for c in QA_COMMANDS if c.footer] + [c for c in QA_COMMANDS if not c.footer]
    return [
        Binding(
            textual_keys(c.keys),
            c.screen_action,
            c.label,
            show=c.footer,
            priority=True,
            tooltip=c.description,
            id=c.id,
        )
        for c in ordered
    ]
