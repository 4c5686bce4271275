"""The status line: where the annotator is in the batch, their pace, and the audio's state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content

from earmark.app.widgets.textbox import TextBox
from earmark.textsafe import clean


@dataclass(frozen=True)
class StatusInfo:
    batch: str = ""
    position: int = 0
    total: int = 0
    done_today: int = 0
    per_hour: float = 0.0
    on_clip: float = 0.0
    speed: float = 1.0
    audio: str = "audio: starting"
    clip_state: str = ""  # "reopened (done)", "unplayable: ..." or ""
    exposure: str = ""  # the wellbeing meter, once anything flagged was heard today
    check: str = ""  # the acoustic check: "✗ 2 to hear again", "checking", or ""
    listen: str = ""  # what is left to hear before a submit: "heard 40%, need 80%"


def _mmss(seconds: float) -> str:
    s = int(max(0.0, seconds))
    return f"{s // 60}:{s % 60:02d}"


BATCH_CELLS = 20  # of the status line a batch name may take


def shorten(text: str, cells: int) -> str:
    """`text` in at most `cells` terminal cells, an ellipsis marking what was cut (a name cut
    at a comma or a space reads as if it were whole)."""
    if cell_len(text) <= cells:
        return text
    out = ""
    for ch in text:
        if cell_len(out + ch) > cells - 1:
            break
        out += ch
    return out.rstrip(" ,;:.-_") + "…"


def status_content(info: StatusInfo) -> Content:
    """Plain text pieces, most needed first: at 80 columns whatever does not fit is cut at the
    right, so the position and the audio state are never the part lost. Untrusted parts
    (batch names, reasons) are cleaned."""
    if not info.total:
        where = "no clips"
    elif info.position:
        where = f"clip {info.position} of {info.total}"
    else:
        where = "end of queue"
    speed = f" {info.speed:.2g}x" if info.speed != 1.0 else ""
    parts: list[str | tuple[str, str]] = [
        (where, "bold"),
        " │ ",
        (clean(info.audio) + speed, "italic" if info.audio.startswith("no audio") else ""),
    ]
    if info.listen:  # next to the audio state, so it is never the part cut at 80 columns
        parts += [" │ ", (clean(info.listen), "bold")]
    if info.check:
        parts += [" │ ", (clean(info.check), "bold" if "✗" in info.check else "")]
    if info.clip_state:
        parts += [" │ ", (clean(info.clip_state), "reverse")]
    if info.exposure:  # a limit passed matters more than the pace
        parts += [" │ ", (clean(info.exposure), "bold" if " - " in info.exposure else "")]
    if info.batch:
        parts += [" │ ", (shorten(clean(info.batch), BATCH_CELLS), "bold")]
    parts += [" │ ", f"today {info.done_today}", " │ ", f"{info.per_hour:.0f}/h"]
    if info.position:
        parts += [" │ ", f"on clip {_mmss(info.on_clip)}"]
    return Content.assemble(*parts)


class StatusLine(TextBox):
    """One line; what does not fit is cut at the right, where the least needed part sits."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.info = StatusInfo()

    def show(self, info: StatusInfo) -> None:
        if info != self.info:
            self.info = info
            self.set(status_content(info))
