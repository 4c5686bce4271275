"""Keymaps: which keys run which command, from keymaps/*.toml, checked before the app starts.

`keymaps/default.toml` binds every id. A named or user keymap is laid over it and replaces
only the ids it names. Problems are found here, not in the middle of a shift: an unknown id
or a key Textual would not recognise is a one-line UserError; a key that ends up on two
commands is either an error (both named in the same file) or, when a user keymap takes a
key that default.toml gave to another command, resolved in the user's favour and reported.
A plain printable key (like "a" or "?") is refused: it would type into the transcript. So is
a chord that terminals do not send as such (alt+b arrives as ctrl+left, alt+/ as a plain "/",
ctrl+1 as nothing): the error says why in one line.

The commands themselves (ids, descriptions, default keys) are earmark/command_table.py.

No Textual import: the key syntax is checked against Unicode names and a list of the
named keys terminals send, which tests compare with Textual's own table.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from earmark.command_table import ALL_IDS as COMMAND_IDS
from earmark.command_table import DEFAULT_KEYS, DESCRIPTIONS, PUBLIC_IDS

__all__ = ["ALL_IDS", "DESCRIPTIONS", "EXTRA_IDS", "PUBLIC_IDS", "Keymap", "load_keymap"]
from earmark.config import keymaps_dir
from earmark.errors import UserError

ALL_IDS = COMMAND_IDS
# Bindings beyond the public contract; stable too, so user keymaps may rebind them.
EXTRA_IDS = tuple(i for i in ALL_IDS if i not in PUBLIC_IDS)

MODIFIERS = ("ctrl", "alt", "shift", "super", "meta", "hyper")
# Textual's friendlier names for some characters (textual.keys.KEY_NAME_REPLACEMENTS).
_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}
_UNREPLACED = {v: k for k, v in _REPLACEMENTS.items()}
NAMED_KEYS = frozenset(
    [f"f{n}" for n in range(1, 25)]
    + [
        "enter",
        "escape",
        "tab",
        "space",
        "backspace",
        "delete",
        "insert",
        "home",
        "end",
        "pageup",
        "pagedown",
        "up",
        "down",
        "left",
        "right",
        "newline",
    ]
)


@dataclass
class Keymap:
    """Resolved bindings: id -> comma-separated keys (Textual syntax), and what was noticed."""

    name: str
    bindings: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)

    def keys(self, binding_id: str) -> list[str]:
        value = self.bindings.get(binding_id, "")
        return [k for k in value.split(",") if k]


def normalize_key(key: str) -> str:
    """Textual's canonical form: single characters by Unicode name ("?" -> "question_mark")."""
    key = key.strip()
    mods, _, base = key.rpartition("+") if len(key) > 1 else ("", "", key)
    if base == "" and key.endswith("+"):  # "ctrl++"
        mods, base = key[:-2], "+"
    if len(base) == 1 and not base.isalnum():
        base = unicodedata.name(base, base).lower().replace("-", "_").replace(" ", "_")
        base = _REPLACEMENTS.get(base, base)
    mods_list = [m.lower() for m in mods.split("+") if m]
    norm = "+".join([*mods_list, base.lower() if len(base) > 1 else base])
    return "ctrl+space" if norm == "ctrl+at" else norm  # the same NUL byte from a terminal


def check_key(key: str) -> str | None:
    """None when `key` is valid Textual key syntax; else what is wrong with it."""
    raw = key.strip()
    if not raw:
        return "empty key"
    norm = normalize_key(raw)
    parts = norm.split("+")
    base, mods = parts[-1], parts[:-1]
    for m in mods:
        if m not in MODIFIERS:
            return f"unknown modifier {m!r} (use ctrl, alt, shift, super, meta)"
    if len(set(mods)) != len(mods):
        return "a modifier is repeated"
    if base in NAMED_KEYS or len(base) == 1:
        pass
    elif not _is_char_name(base):
        return f"unknown key name {base!r}"
    if not mods and (len(base) == 1 or base == "space" or _is_char_name(base)):
        return (
            "a plain character would type into the transcript; "
            "use a function key or a ctrl/alt chord"
        )
    return terminal_problem(mods, base)


# What xterm-compatible terminals, tmux and SSH actually send for a chord, and so what
# Textual can report. Each entry is the one line a user sees when their keymap names such a key.
_SAME_AS = {"i": "tab", "m": "enter", "h": "backspace", "j": "enter"}
_TEXTUAL_TAKES = {"b": "ctrl+left (word left)", "f": "ctrl+right (word right)"}


def terminal_problem(mods: list[str], base: str) -> str | None:
    """Why terminals cannot deliver this chord as such, or None when they can.

    ctrl+space is fine: terminals send NUL, which the app also binds (Textual calls it ctrl+@).
    """
    printable = len(base) == 1 or base == "space" or _is_char_name(base)
    named = base in NAMED_KEYS and base != "space"
    odd = [m for m in mods if m in ("super", "meta", "hyper")]
    if odd:
        return f"terminals do not send {odd[0]} chords; use ctrl or alt"
    if base.startswith("f") and base[1:].isdigit() and int(base[1:]) > 12:
        return "most keyboards and terminals have no F13 and above; use F1-F12"
    if named:
        return None
    if "ctrl" in mods and "alt" in mods:
        return "terminals send ctrl+alt chords as escape then ctrl+key; use ctrl or alt alone"
    if "ctrl" in mods:
        if "shift" in mods:
            return "terminals send ctrl+shift+letter the same as ctrl+letter; drop the shift"
        if base == "space":
            return None
        if base in _SAME_AS:
            return f"terminals send ctrl+{base} as {_SAME_AS[base]}; choose another letter"
        if not (len(base) == 1 and base.isalpha()):
            return f"terminals send no code for ctrl+{base}; use ctrl with a letter"
        if base == "c":
            return "ctrl+c is the interrupt key (it saves and quits); choose another letter"
        return None
    if "alt" in mods:
        if "shift" in mods:
            return "alt+shift chords arrive unreliably over tmux and SSH; use alt with a letter"
        if base in _TEXTUAL_TAKES:
            return (
                f"terminals send alt+{base} as ESC {base}, which Textual reads as "
                f"{_TEXTUAL_TAKES[base]}; choose another letter"
            )
        if not (len(base) == 1 and base.isalnum()):
            return f"alt+{base} arrives as a plain character in most terminals (it would type)"
        return None
    if printable and mods == ["shift"]:
        return "shift+character types a character; use a function key or a ctrl/alt chord"
    return None


def _is_char_name(base: str) -> bool:
    if base in NAMED_KEYS:
        return False
    name = _UNREPLACED.get(base, base)
    for candidate in (name.replace("_", " "), name.replace("_", "-")):
        try:
            return len(unicodedata.lookup(candidate)) == 1
        except KeyError:
            continue
    return False


def read_keymap_file(path: Path) -> dict[str, str]:
    """The [bindings] table of one file, checked: ids known, keys valid, no key twice."""
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise UserError(f"keymap {path}: no such file") from None
    except OSError as exc:
        raise UserError(f"keymap {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"keymap {path}: not valid TOML ({exc})") from None
    table = data.get("bindings")
    if not isinstance(table, dict):
        raise UserError(f'keymap {path}: needs a [bindings] table (id = "key")')
    out: dict[str, str] = {}
    seen: dict[str, str] = {}
    for bid, value in table.items():
        if bid not in ALL_IDS:
            close = _closest(bid)
            hint = f" (did you mean {close}?)" if close else ""
            raise UserError(f"keymap {path}: unknown binding id {bid!r}{hint}")
        if not isinstance(value, str):
            raise UserError(f'keymap {path}: {bid} must be a string of keys, like "ctrl+s,f2"')
        keys = []
        for k in value.split(","):
            problem = check_key(k)
            if problem:
                raise UserError(f"keymap {path}: {bid} = {k.strip()!r}: {problem}")
            nk = normalize_key(k)
            if nk in seen and seen[nk] != bid:
                raise UserError(f"keymap {path}: {k.strip()} is bound to both {seen[nk]} and {bid}")
            seen[nk] = bid
            keys.append(nk)
        out[bid] = ",".join(dict.fromkeys(keys))
    return out


def _closest(bid: str) -> str | None:
    import difflib

    found = difflib.get_close_matches(bid, ALL_IDS, n=1)
    return found[0] if found else None


def resolve(name_or_file: str | None, *, folder: Path | None = None) -> Path | None:
    """A keymap argument as a file: an existing path, else keymaps/NAME.toml."""
    if not name_or_file:
        return None
    folder = folder or keymaps_dir()
    p = Path(name_or_file).expanduser()
    if p.suffix == ".toml" or "/" in name_or_file or p.is_file():
        return p
    candidate = folder / f"{name_or_file}.toml"
    if candidate.is_file():
        return candidate
    names = sorted(x.stem for x in folder.glob("*.toml"))
    raise UserError(
        f"no keymap named {name_or_file!r} (bundled: {', '.join(names)}; or give a file path)"
    )


def load_keymap(name_or_file: str | None = None, *, folder: Path | None = None) -> Keymap:
    """default.toml, with the named keymap or file laid over it."""
    folder = folder or keymaps_dir()
    default_path = folder / "default.toml"
    # The table's default keys, with default.toml (which spells out the same) laid over them.
    base = {
        bid: ",".join(normalize_key(k) for k in keys.split(","))
        for bid, keys in DEFAULT_KEYS.items()
    }
    base.update(read_keymap_file(default_path))
    km = Keymap(name="default", bindings=base, sources=[default_path])
    path = resolve(name_or_file, folder=folder)
    if path is None or path.resolve() == default_path.resolve():
        return km
    overlay = read_keymap_file(path)
    km.name = path.stem
    km.sources.append(path)
    km.bindings.update(overlay)
    # A key the overlay gives to one id may still sit on another id from default.toml.
    taken = {k: bid for bid, v in overlay.items() for k in v.split(",") if k}
    for bid in ALL_IDS:
        if bid in overlay:
            continue
        keys = km.keys(bid)
        lost = [k for k in keys if k in taken]
        if not lost:
            continue
        kept = [k for k in keys if k not in taken]
        km.bindings[bid] = ",".join(kept)
        for k in lost:
            rest = f"{bid} keeps {', '.join(kept)}" if kept else f"{bid} now has no key"
            km.warnings.append(
                f"keymap {path.name}: {k} was {bid} in default.toml, now {taken[k]} ({rest})"
            )
    return km
