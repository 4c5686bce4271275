"""A box of fixed size showing Content: updating it repaints, it never asks for a new layout.

Static.update() always requests a layout of the whole screen, which on a clip change is
the most expensive thing the app does; the status line, suggestions and message lines have
fixed heights, so a repaint is all they need.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


class TextBox(Widget):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._content = Content("")

    @property
    def content(self) -> Content:
        return self._content

    def set(self, content: Content | str) -> None:
        if isinstance(content, str):
            content = Content(content)
        if content.plain == self._content.plain and content.spans == self._content.spans:
            return
        self._content = content
        self.refresh()

    def render(self) -> Content:
        return self._content
