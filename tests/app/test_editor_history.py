"""The editor's undo history: word-sized typing steps, and undo/redo that always get back.

The property tests drive the real widget (in a small host app) with any sequence of edits,
undos and redos, then check that undoing everything restores the first text and redoing
everything restores the last.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult

from earmark.app.widgets.editor import TranscriptInput
from earmark.app.widgets.editor_history import History, State, classify


def test_classify_kinds():
    assert classify("helo", "hello", 3) == ("type", "l")
    assert classify("abcd", "acd", 2) == ("back", "")
    assert classify("abcd", "abd", 2) == ("forward", "")
    assert classify("hello", "help", 5)[0] == "replace"


def _typed(h: History, text: str, s: str, cur: int) -> tuple[str, int]:
    for ch in s:
        new = text[:cur] + ch + text[cur:]
        h.record(State(text, cur), new)
        text, cur = new, cur + 1
        h.moved(cur)
    return text, cur


def test_typing_undoes_a_word_at_a_time():
    h = History()
    text, cur = _typed(h, "", "hello big world", 0)
    state = State(text, cur)
    back = []
    while (prev := h.undo(state)) is not None:
        back.append(prev.text)
        state = prev
    assert back == ["hello big ", "hello ", ""]


def test_moving_the_cursor_starts_a_step():
    h = History()
    text, cur = _typed(h, "", "ab", 0)
    h.moved(0)
    text, cur = _typed(h, text, "x", 0)
    assert text == "xab"
    assert h.undo(State(text, cur)) == State("ab", 0)


def test_backspaces_join_but_not_with_typing():
    h = History()
    text, cur = _typed(h, "", "hello", 0)
    for _ in range(3):
        new = text[: cur - 1] + text[cur:]
        h.record(State(text, cur), new)
        text, cur = new, cur - 1
        h.moved(cur)
    assert text == "he"
    prev = h.undo(State(text, cur))
    assert prev == State("hello", 5)
    assert h.undo(prev) == State("", 0)


def test_a_replacement_is_its_own_step_even_when_it_looks_like_typing():
    h = History()
    text, cur = _typed(h, "", "ab", 0)
    h.record(State(text, cur), text + "c", "replace")
    assert h.undo(State("abc", 3)) == State("ab", 2)


def test_a_change_after_undo_drops_the_redo():
    h = History()
    h.record(State("a", 1), "b", "replace")
    prev = h.undo(State("b", 1))
    assert prev == State("a", 1)
    h.record(prev, "c", "replace")
    assert not h.can_redo and h.redo(State("c", 1)) is None


def test_the_history_is_bounded():
    h = History(limit=5)
    for i in range(20):
        h.record(State(str(i), 0), str(i + 1), "replace")
    n = 0
    state = State("20", 0)
    while (prev := h.undo(state)) is not None:
        state, n = prev, n + 1
    assert n == 5 and state.text == "15"


class Host(App):
    def compose(self) -> ComposeResult:
        yield TranscriptInput(select_on_focus=False)


WORDS = ["that's", "a", "don't", "o'clock", "x", " ", "  ", "hello", "é", "日本"]
TEXT = st.text(alphabet="ab 'éx", max_size=12)
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("type"), st.sampled_from(list("ab 'x.é"))),
        st.tuples(st.just("move"), st.integers(0, 60)),
        st.tuples(st.just("select"), st.integers(0, 60), st.integers(0, 60)),
        st.tuples(
            st.sampled_from(
                [
                    "backspace",
                    "delete",
                    "ctrl_w",
                    "kill_word",
                    "ctrl_k",
                    "ctrl_u",
                    "undo",
                    "redo",
                    "left_word",
                    "right_word",
                ]
            )
        ),
        st.tuples(st.just("word"), st.integers(0, 60), st.integers(0, 60), st.sampled_from(WORDS)),
        st.tuples(st.just("all"), TEXT),
        st.tuples(st.just("value"), TEXT),
    ),
    max_size=40,
)


def _apply(ed: TranscriptInput, op: tuple) -> None:
    name, *args = op
    n = len(ed.value)
    if name == "type":
        if ed.selection.is_empty:
            ed.insert_text_at_cursor(args[0])
        else:
            ed.replace(args[0], *ed.selection)
    elif name == "move":
        ed.cursor_position = args[0] % (n + 1)
    elif name == "select":
        ed.selection = ed.selection.__class__(args[0] % (n + 1), args[1] % (n + 1))
    elif name == "word":
        a, b = sorted((args[0] % (n + 1), args[1] % (n + 1)))
        ed.replace_word(a, b, args[2])
    elif name == "all":
        ed.replace_all(args[0])
    elif name == "value":
        ed.value = args[0]
    else:
        action = {
            "backspace": ed.action_delete_left,
            "delete": ed.action_delete_right,
            "ctrl_w": ed.action_delete_left_word,
            "kill_word": ed.action_kill_word_left,
            "ctrl_k": ed.action_delete_right_all,
            "ctrl_u": ed.action_delete_left_all,
            "undo": ed.undo,
            "redo": ed.redo,
            "left_word": ed.action_cursor_left_word,
            "right_word": ed.action_cursor_right_word,
        }[name]
        action()


async def test_undo_all_gives_the_first_text_and_redo_all_the_last():
    app = Host()
    async with app.run_test(size=(40, 10)):
        ed = app.query_one(TranscriptInput)

        @settings(
            max_examples=300,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture],
        )
        @given(start=TEXT, ops=OPS)
        def prop(start: str, ops: list) -> None:
            ed.load(start, len(start) // 2)
            assert not ed.can_undo and not ed.undo()
            for op in ops:
                _apply(ed, op)
            final = ed.value
            while ed.redo():  # an undo in the sequence leaves steps to redo
                pass
            top = ed.value
            if not any(op[0] == "undo" for op in ops):
                assert top == final
            steps = 0
            while ed.undo():
                steps += 1
                assert steps < 1000
            assert ed.value == start
            while ed.redo():
                pass
            assert ed.value == top

        prop()
