"""Keymaps: bundled files complete and clash-free, user overrides, and one-line errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from earmark.config import keymaps_dir
from earmark.errors import UserError
from earmark.keymap import (
    ALL_IDS,
    NAMED_KEYS,
    PUBLIC_IDS,
    check_key,
    load_keymap,
    normalize_key,
    read_keymap_file,
)

ROOT = Path(__file__).resolve().parent.parent


def clashes(bindings: dict[str, str]) -> list[tuple[str, list[str]]]:
    """Keys bound to more than one id, as (key, ids)."""
    by_key: dict[str, list[str]] = {}
    for bid, value in bindings.items():
        for k in value.split(","):
            if k:
                by_key.setdefault(normalize_key(k), []).append(bid)
    return [(k, ids) for k, ids in by_key.items() if len(ids) > 1]


def test_contract_ids_are_all_public():
    assert set(PUBLIC_IDS) == {
        "play_pause",
        "rewind",
        "forward",
        "slower",
        "faster",
        "replay_word",
        "submit",
        "accept_asr",
        "next_clip",
        "prev_clip",
        "skip",
        "accept_suggestion",
        "use_alternative",
        "accept_utterance",
        "undo",
        "redo",
        "take_break",
        "flag_critical",
        "flag_distressing",
        "escalate",
        "help",
        "quit",
    }


def test_default_names_every_id():
    table = read_keymap_file(keymaps_dir() / "default.toml")
    assert set(table) == set(ALL_IDS)
    assert all(table[i] for i in ALL_IDS)


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "keymaps").glob("*.toml")))
def test_bundled_keymaps_load_without_clash(name):
    km = load_keymap(name)
    assert km.warnings == []
    assert clashes(km.bindings) == []
    assert all(km.keys(i) for i in ALL_IDS), [i for i in ALL_IDS if not km.keys(i)]


def test_at_least_three_keymaps_and_scribe_uses_pedal_keys():
    names = {p.stem for p in (ROOT / "keymaps").glob("*.toml")}
    assert {"default", "scribe"} <= names and len(names) >= 3
    km = load_keymap("scribe")
    assert km.keys("play_pause") == ["f9"]
    assert km.keys("stop") == ["f4"]
    assert km.keys("rewind") == ["f7"] and km.keys("forward") == ["f8"]


def test_user_file_overrides_single_id(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[bindings]\nsubmit = "ctrl+s"\n')
    km = load_keymap(str(f))
    assert km.keys("submit") == ["ctrl+s"]
    assert km.keys("quit") == load_keymap(None).keys("quit")
    assert km.name == "mine" and km.warnings == []


def test_user_key_taken_from_default_binding_is_reported(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('[bindings]\nsubmit = "f9"\n')  # f9 is skip's in default.toml
    km = load_keymap(str(f))
    assert km.keys("submit") == ["f9"]
    assert "f9" not in km.keys("skip") and km.keys("skip") == ["alt+s"]
    assert len(km.warnings) == 1
    assert "f9" in km.warnings[0] and "skip" in km.warnings[0] and "submit" in km.warnings[0]
    assert clashes(km.bindings) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[bindings]\nsubmitt = "f2"\n', "unknown binding id 'submitt' (did you mean submit?)"),
        ('[bindings]\nsubmit = "ctrl+wat"\n', "unknown key name 'wat'"),
        ('[bindings]\nsubmit = "hyperspace+a"\n', "unknown modifier 'hyperspace'"),
        ('[bindings]\nsubmit = "a"\n', "would type into the transcript"),
        ('[bindings]\nhelp = "?"\n', "would type into the transcript"),
        ('[bindings]\nsubmit = "f2"\nskip = "f2"\n', "f2 is bound to both submit and skip"),
        ("[bindings]\nsubmit = 3\n", "must be a string of keys"),
        ('submit = "f2"\n', "needs a [bindings] table"),
        ("[bindings\n", "not valid TOML"),
    ],
)
def test_bad_keymaps_are_one_line_errors(tmp_path, body, message):
    f = tmp_path / "bad.toml"
    f.write_text(body)
    with pytest.raises(UserError) as info:
        load_keymap(str(f))
    text = str(info.value)
    assert message in text and "\n" not in text.strip()


def test_unknown_keymap_name_lists_the_bundled_ones():
    with pytest.raises(UserError, match="no keymap named 'nope'.*scribe"):
        load_keymap("nope")


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(UserError, match="no such file"):
        load_keymap(str(tmp_path / "missing.toml"))


def test_key_syntax_matches_textual():
    """Our list of named keys and normalisation agree with Textual's own tables."""
    from textual.keys import Keys, _normalize_key_list

    textual_keys = {k.value for k in Keys} | {"space", "newline", "pageup", "pagedown"}
    for name in NAMED_KEYS:
        if name.startswith("f"):
            continue
        assert name in textual_keys or f"ctrl+{name}" in textual_keys or name == "space", name
    for key in ("?", "+", "-", "/", "ctrl+@", "alt+1", "ctrl+space", "f9", "alt+."):
        assert normalize_key(key) == _normalize_key_list(key) or key.startswith(("ctrl+", "alt+"))
    assert normalize_key("?") == "question_mark"
    assert normalize_key("alt+.") == "alt+full_stop"
    assert check_key("ctrl+space") is None
    assert normalize_key("ctrl+@") == "ctrl+space"  # the NUL a terminal sends for it
    assert check_key("shift+f3") is None


@pytest.mark.parametrize(
    "key, why",
    [
        ("alt+b", "ctrl+left"),
        ("alt+f", "ctrl+right"),
        ("alt+/", "plain character"),
        ("alt+equals_sign", "plain character"),
        ("alt+space", "plain character"),
        ("ctrl+1", "no code"),
        ("ctrl+/", "no code"),
        ("ctrl+i", "tab"),
        ("ctrl+m", "enter"),
        ("ctrl+shift+s", "drop the shift"),
        ("ctrl+alt+x", "ctrl+alt"),
        ("super+s", "super"),
        ("f13", "F13"),
        ("shift+a", "types"),
    ],
)
def test_keys_terminals_cannot_send_are_explained(tmp_path, key, why):
    assert why in (check_key(key) or "")
    path = tmp_path / "mine.toml"
    path.write_text(f'[bindings]\nskip = "{key}"\n')
    with pytest.raises(UserError) as err:
        load_keymap(str(path))
    assert "\n" not in str(err.value) and why in str(err.value)


@pytest.mark.parametrize(
    "key", ["alt+s", "alt+0", "ctrl+z", "ctrl+up", "alt+left", "f12", "pageup"]
)
def test_keys_terminals_send_are_accepted(key):
    assert check_key(key) is None


def test_default_toml_spells_out_the_command_table():
    from earmark.command_table import COMMANDS

    table = read_keymap_file(keymaps_dir() / "default.toml")
    for c in COMMANDS:
        assert table[c.id] == ",".join(normalize_key(k) for k in c.keys.split(",")), c.id


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "keymaps").glob("*.toml")))
def test_every_shipped_key_is_one_terminals_send(name):
    km = load_keymap(name)
    for bid in ALL_IDS:
        for key in km.keys(bid):
            assert check_key(key) is None, (name, bid, key)


def test_cli_reports_bad_keymap_in_one_line(tmp_path):
    from earmark.store import open_store

    db = tmp_path / "e.db"
    open_store(db).close()
    f = tmp_path / "bad.toml"
    f.write_text('[bindings]\nplay = "f2"\n')
    r = subprocess.run(
        [sys.executable, "-m", "earmark", "annotate", "--db", str(db), "--keymap", str(f)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "unknown binding id 'play'" in r.stderr
    assert "Traceback" not in r.stderr


def test_cli_annotate_without_database_or_clips(tmp_path):
    from earmark.store import open_store

    missing = tmp_path / "nope.db"
    r = subprocess.run(
        [sys.executable, "-m", "earmark", "annotate", "--db", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no database" in r.stderr
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    open_store(empty).close()
    r = subprocess.run(
        [sys.executable, "-m", "earmark", "annotate", "--db", str(empty)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert r.returncode == 2 and "no clips" in r.stderr and "Traceback" not in r.stderr
