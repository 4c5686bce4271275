"""The status line's pieces: a long batch name is cut visibly, in terminal cells."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from earmark.app.widgets.status import BATCH_CELLS, StatusInfo, shorten, status_content


def test_a_long_batch_name_ends_in_an_ellipsis_not_a_comma():
    line = status_content(StatusInfo(batch="Assistant requests, week 48", position=1, total=21))
    assert "Assistant requests…" in line.plain
    assert "Assistant requests, " not in line.plain


def test_a_short_name_is_whole():
    assert shorten("demo", BATCH_CELLS) == "demo"
    assert shorten("x" * BATCH_CELLS, BATCH_CELLS) == "x" * BATCH_CELLS


def test_wide_characters_count_as_two_cells():
    got = shorten("週次の音声確認バッチ第四十八週", 12)
    assert got.endswith("…") and cell_len(got) <= 12


@given(st.text(max_size=60), st.integers(2, 30))
def test_never_wider_than_asked(text, cells):
    got = shorten(text, cells)
    assert cell_len(got) <= cells or got == text
    assert got == text or got.endswith("…")
