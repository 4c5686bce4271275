"""Wrapping a one-line transcript into rows, and mapping offsets to cells and back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from earmark.app.widgets.editor_wrap import cells, locate, offset_at, row_end, wrap_rows


def _rows(text: str, width: int) -> list[str]:
    starts = wrap_rows(text, width)
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]


def test_rows_break_after_the_last_space_that_fits():
    assert _rows("the quick brown fox", 10) == ["the quick ", "brown fox"]
    assert _rows("abc", 10) == ["abc"]
    assert _rows("", 10) == [""]


def test_a_word_longer_than_a_row_is_cut_where_the_row_ends():
    assert _rows("abcdefghij xy", 4) == ["abcd", "efgh", "ij ", "xy"]


def test_a_full_last_row_gets_an_empty_row_for_the_cursor():
    assert _rows("abcd", 4) == ["abcd", ""]
    assert locate("abcd", wrap_rows("abcd", 4), 4) == (1, 0)


def test_wide_characters_take_two_cells():
    assert _rows("日本語 です", 6) == ["日本語", " です"]
    assert all(cells(r) <= 3 for r in _rows("日本語", 3))


TEXT = st.text(alphabet=st.sampled_from(list("ab ' xé日")), max_size=80)


@given(text=TEXT, width=st.integers(1, 30))
def test_rows_cover_the_text_in_order_and_fit(text: str, width: int) -> None:
    starts = wrap_rows(text, width)
    assert starts[0] == 0 and starts == sorted(set(starts))
    rows = _rows(text, width)
    assert "".join(rows) == text
    for row in rows:
        assert cells(row) <= max(width, 2)  # a wide character alone may overhang a 1-cell row
    # the cursor at the end always has a cell on the last row
    assert cells(rows[-1]) < max(width, 2) or width == 1


@given(text=TEXT, width=st.integers(2, 30), data=st.data())
def test_offsets_round_trip_through_cells(text: str, width: int, data) -> None:
    starts = wrap_rows(text, width)
    position = data.draw(st.integers(0, len(text)))
    row, col = locate(text, starts, position)
    assert starts[row] <= position <= row_end(starts, row, len(text))
    assert offset_at(text, starts, row, col) == position
