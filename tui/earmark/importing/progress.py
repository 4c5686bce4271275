"""A progress bar on stderr for long manifests, and nothing at all for short ones."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

PROGRESS_MIN_LINES = 2000


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            n += block.count(b"\n")
    return n


class progress_for:
    """A rich progress bar on stderr for long manifests; a no-op otherwise."""

    def __init__(self, manifest: Path, enabled: bool) -> None:
        self.manifest = manifest
        self.enabled = enabled
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.last = 0

    def __enter__(self) -> Callable[[int], None] | None:
        if not self.enabled:
            return None
        total = _count_lines(self.manifest)
        if total < PROGRESS_MIN_LINES:
            return None
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        bar = self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        bar.start()
        task = self.task = bar.add_task(f"importing {self.manifest.name}", total=total)

        def tick(lineno: int) -> None:
            if lineno - self.last >= 500:
                bar.update(task, completed=lineno)
                self.last = lineno

        return tick

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
