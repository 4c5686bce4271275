"""The transcript editor on its own (Pilot): wrapping, undo/redo, readline keys, contractions.

A small host app holds just the editor, so each key's effect is checked directly; the
tmux tests (test_editor_tmux.py) check the same keys as a terminal sends them, in the
real `earmark annotate`.
"""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from earmark.app.widgets.editor import EDITOR_KEYS, TranscriptInput
from tests.app.pilot import LONG


class Host(App):
    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.text = text
        self.submitted: list[str] = []

    def compose(self) -> ComposeResult:
        yield TranscriptInput(placeholder="transcript", select_on_focus=False)

    def on_mount(self) -> None:
        ed = self.query_one(TranscriptInput)
        ed.load(self.text, len(self.text))
        ed.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.submitted.append(event.value)


def _ed(app: App) -> TranscriptInput:
    return app.query_one(TranscriptInput)


def _rows(ed: TranscriptInput) -> list[str]:
    return [ed.render_line(y).text for y in range(ed.content_size.height)]


async def _type(pilot, text: str) -> None:
    await pilot.press(*[("space" if c == " " else c) for c in text])


async def test_a_long_transcript_is_shown_whole_at_80_columns():
    assert len(LONG) >= 200
    app = Host(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ed = _ed(app)
        rows = _rows(ed)
        assert len(rows) >= 3
        assert "".join(r.rstrip() + " " for r in rows).split() == LONG.split()
        assert all(len(r) <= ed.content_size.width for r in rows)
        # no row starts inside a word: each break is at a space
        assert all(not row.startswith(" ") for row in rows if row.strip())


async def test_the_editor_grows_and_shrinks_with_the_text():
    app = Host("short")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ed = _ed(app)
        one = ed.size.height
        ed.replace_all(LONG)
        await pilot.pause()
        assert ed.size.height >= one + 2
        ed.undo()
        await pilot.pause()
        assert ed.size.height == one and ed.value == "short"


async def test_typing_a_word_repaints_without_laying_out_the_screen():
    app = Host("abc")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ed = _ed(app)
        layouts = []
        real = ed.refresh

        def spy(*args, **kwargs):
            layouts.append(kwargs.get("layout", False))
            return real(*args, **kwargs)

        ed.refresh = spy  # type: ignore[method-assign]
        await _type(pilot, " more")
        assert ed.value == "abc more"
        assert layouts and not any(layouts)


async def test_enter_submits_and_never_types_a_newline():
    app = Host("one line")
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert app.submitted == ["one line"] and _ed(app).value == "one line"


async def test_pasted_lines_join_into_one_line_and_undo_in_one_step():
    app = Host("a ")
    async with app.run_test() as pilot:
        ed = _ed(app)
        ed.post_message(events.Paste("first line\nsecond\x1b[2J line\x07"))
        await pilot.pause()
        assert ed.value == "a first line second line"
        await pilot.press("ctrl+z")
        assert ed.value == "a "


async def test_typing_undoes_word_by_word_and_redoes():
    app = Host()
    async with app.run_test() as pilot:
        ed = _ed(app)
        await _type(pilot, "hello big world")
        await pilot.press("ctrl+z")
        assert ed.value == "hello big "
        await pilot.press("ctrl+z")
        assert ed.value == "hello "
        await pilot.press("ctrl+y", "ctrl+y")
        assert ed.value == "hello big world"
        assert ed.cursor_position == len(ed.value)
        await pilot.press("ctrl+y")  # nothing more to redo
        assert ed.value == "hello big world"


async def test_replacements_are_single_steps_and_a_new_clip_forgets_them():
    app = Host("the wether is fine")
    async with app.run_test() as pilot:
        ed = _ed(app)
        ed.replace_word(4, 10, "weather")
        assert ed.value == "the weather is fine"
        ed.replace_all("another guess entirely")
        assert ed.value == "another guess entirely"
        assert ed.undo() and ed.value == "the weather is fine"
        assert ed.undo() and ed.value == "the wether is fine"
        assert not ed.undo()
        assert ed.redo() and ed.redo() and ed.value == "another guess entirely"
        ed.load("next clip", 0)
        assert not ed.undo() and not ed.redo() and ed.value == "next clip"
        await pilot.press("x")
        ed.reset_history()
        assert not ed.undo() and ed.value == "xnext clip"


async def test_ctrl_w_deletes_a_contraction_whole():
    app = Host("i think that's")
    async with app.run_test() as pilot:
        ed = _ed(app)
        await pilot.press("ctrl+w")
        assert ed.value == "i think "
        await pilot.press("ctrl+w")
        assert ed.value == "i "
        await pilot.press("ctrl+z")
        assert ed.value == "i think "


async def test_word_motions_treat_contractions_as_one_word():
    text = "at o'clock don't go"
    app = Host(text)
    async with app.run_test() as pilot:
        ed = _ed(app)
        await pilot.press("ctrl+left")
        assert ed.cursor_position == text.index("go")
        await pilot.press("ctrl+left")
        assert ed.cursor_position == text.index("don't")
        await pilot.press("ctrl+left")
        assert ed.cursor_position == text.index("o'clock")
        await pilot.press("ctrl+right")
        assert ed.cursor_position == text.index(" don't")
        await pilot.press("ctrl+right")
        assert ed.cursor_position == text.index(" go")


async def test_kill_word_keeps_a_contraction_whole():
    app = Host("five o'clock")
    async with app.run_test() as pilot:
        ed = _ed(app)
        await pilot.press("ctrl+backspace")
        assert ed.value == "five "


async def test_readline_keys():
    text = "alpha beta gamma"
    app = Host(text)
    async with app.run_test() as pilot:
        ed = _ed(app)
        await pilot.press("ctrl+a")
        assert ed.cursor_position == 0
        await pilot.press("ctrl+e")
        assert ed.cursor_position == len(text)
        await pilot.press("home", "ctrl+right")
        await pilot.press("ctrl+k")
        assert ed.value == "alpha"
        await pilot.press("ctrl+z")
        assert ed.value == text
        ed.cursor_position = text.index("gamma")
        await pilot.press("ctrl+u")
        assert ed.value == "gamma" and ed.cursor_position == 0
        await pilot.press("ctrl+z")
        assert ed.value == text
        ed.cursor_position = text.index("beta")
        await pilot.press("ctrl+d")
        assert ed.value == "alpha eta gamma"
        await pilot.press("end", "backspace")
        assert ed.value == "alpha eta gamm"


async def test_selection_with_shift_and_typing_over_it():
    text = "alpha beta gamma"
    app = Host(text)
    async with app.run_test() as pilot:
        ed = _ed(app)
        await pilot.press("ctrl+shift+left")
        assert ed.selected_text == "gamma"
        await pilot.press("x")
        assert ed.value == "alpha beta x"
        await pilot.press("ctrl+z")
        assert ed.value == text
        await pilot.press("home", "shift+right", "shift+right")
        assert ed.selected_text == "al"
        await pilot.press("shift+end")
        assert ed.selected_text == text
        await pilot.press("backspace")
        assert ed.value == ""
        await pilot.press("ctrl+z")
        assert ed.value == text


async def test_up_and_down_move_between_rows():
    app = Host(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ed = _ed(app)
        rows = len(_rows(ed))
        await pilot.press("home")
        await pilot.press("right", "right", "right")
        await pilot.press("down")
        row2 = _rows(ed)[0].rstrip()
        assert ed.cursor_position == len(row2) + 1 + 3
        for _ in range(rows):
            await pilot.press("down")
        assert ed.cursor_position == len(LONG)
        for _ in range(rows):
            await pilot.press("up")
        assert ed.cursor_position == 0


async def test_the_cursor_shows_where_it_is_on_a_wrapped_row():
    app = Host(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ed = _ed(app)
        ed.cursor_position = LONG.index("platform")
        await pilot.pause()
        x, y, _w, _h = ed.content_region
        off = ed.cursor_screen_offset
        row = off.y - y
        assert row == 2
        assert ed.render_line(row).text[off.x - x :].startswith("platform")


def test_the_keys_table_names_each_key_once():
    keys = [k for k, _ in EDITOR_KEYS]
    assert len(keys) == len(set(keys))
    assert {"ctrl+z", "ctrl+y", "ctrl+w", "ctrl+k", "ctrl+u"} <= set(keys)
    assert all(isinstance(d, str) and d for _, d in EDITOR_KEYS)


def test_each_editor_key_fits_an_80_column_help_row():
    for key, does in EDITOR_KEYS:
        assert len(key) <= 18 and len(key) + 2 + len(does) <= 74, key


def test_the_readme_lists_every_editor_key():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("#### Editor keys", 1)[1].split("\n#", 1)[0]
    for key, does in EDITOR_KEYS:
        assert f"| `{key}` | {does} |" in section


async def test_a_transcript_taller_than_the_editor_scrolls_to_the_cursor():
    text = " ".join(f"word{i:03d}" for i in range(150))
    app = Host(text)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ed = _ed(app)
        from earmark.app.widgets.editor_wrap import wrap_rows

        assert len(wrap_rows(text, ed.content_size.width)) > ed.content_size.height
        assert "word149" in "".join(_rows(ed))  # the cursor (at the end) is in view
        await pilot.press("home")
        await pilot.pause()
        assert _rows(ed)[0].startswith("word000")
        off = ed.cursor_screen_offset
        assert off.y == ed.content_region.y


async def test_a_click_puts_the_cursor_under_the_pointer():
    app = Host(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ed = _ed(app)
        second = _rows(ed)[1]
        x, y, _w, _h = ed.content_region
        await pilot.click(TranscriptInput, offset=(x - ed.region.x + 3, y - ed.region.y + 1))
        await pilot.pause()
        assert ed.cursor_position == LONG.index(second.rstrip()) + 3


async def test_a_selection_across_rows_is_marked_on_each_row():
    app = Host(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ed = _ed(app)
        start, end = LONG.index("city"), LONG.index("anybody")
        ed.selection = ed.selection.__class__(start, end)
        await pilot.pause()
        style = ed.get_component_rich_style("input--selection")

        def marked(y: int) -> str:
            return "".join(
                s.text for s in ed.render_line(y) if s.style and style.bgcolor == s.style.bgcolor
            )

        parts = [marked(y) for y in range(ed.content_size.height)]
        assert "".join(parts) == LONG[start:end]
        assert sum(1 for p in parts if p) == 2  # the selection crosses a row break
