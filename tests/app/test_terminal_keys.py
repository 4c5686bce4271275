"""alt+digit, as xterm/tmux/SSH clients send it (ESC digit), must reach bindings as alt+N."""

from textual._xterm_parser import XTermParser

import earmark.app.app  # noqa: F401  (applies the fix on import, as the real app does)


def _keys(data: str) -> list[str]:
    parser = XTermParser()
    events = list(parser.feed(data)) + list(parser.feed(""))
    return [e.key for e in events if hasattr(e, "key")]


def test_escape_digit_is_an_alt_chord():
    for digit in "0123456789":
        assert _keys("\x1b" + digit) == [f"alt+{digit}"]


def test_a_typed_pound_sign_is_still_a_character():
    assert _keys("£") == ["pound_sign"]
