"""Where a one-line transcript breaks into screen rows, and where a text offset is on screen.

A transcript is one line of text; the editor shows it wrapped so that all of it is visible
at any width. Rows break after the last space that fits (a word longer than a row is cut
where the row ends), so every character, spaces included, sits on exactly one row and the
offsets of a row are contiguous. That keeps the mapping between text offsets and (row,
column) a matter of one bisection plus the cells of one row.
"""

from __future__ import annotations

from bisect import bisect_right

from rich.cells import get_character_cell_size


def wrap_rows(text: str, width: int) -> list[int]:
    """The offset each row starts at; always at least one row.

    When the last row is full, an empty row follows it so the cursor at the end of the text
    has a cell to stand on.
    """
    width = max(1, width)
    starts = [0]
    n = len(text)
    start = i = cells = 0
    last_space = -1
    while i < n:
        ch = text[i]
        w = get_character_cell_size(ch)
        if cells + w > width and i > start:
            start = last_space + 1 if last_space >= start else i
            starts.append(start)
            i, cells, last_space = start, 0, -1
            continue
        if ch == " ":
            last_space = i
        cells += w
        i += 1
    if n and cells >= width:
        starts.append(n)
    return starts


def row_of(starts: list[int], position: int) -> int:
    return max(0, bisect_right(starts, position) - 1)


def row_end(starts: list[int], row: int, length: int) -> int:
    """The last offset the cursor can take on `row` (the next row's start is on the next row)."""
    return starts[row + 1] - 1 if row + 1 < len(starts) else length


def cells(text: str) -> int:
    return sum(get_character_cell_size(ch) for ch in text)


def locate(text: str, starts: list[int], position: int) -> tuple[int, int]:
    """(row, column in cells) of a text offset."""
    row = row_of(starts, position)
    return row, cells(text[starts[row] : position])


def offset_at(text: str, starts: list[int], row: int, column: int) -> int:
    """The text offset shown at (row, column), clamped to the row."""
    row = min(max(0, row), len(starts) - 1)
    position, end = starts[row], row_end(starts, row, len(text))
    x = 0
    while position < end:
        w = get_character_cell_size(text[position])
        if x + w > column:
            break
        x += w
        position += 1
    return position
