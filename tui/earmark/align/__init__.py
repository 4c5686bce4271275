"""The acoustic check: does the audio support each word the annotator typed?

`check_transcript(samples, samplerate, text)` force-aligns the text to the clip with
pocketsphinx (the optional `align` extra) and scores every word by goodness of pronunciation;
words below a fixed threshold are marked. `available()` says whether the engine is installed,
and if not, in one line why. Nothing here imports Textual or the store: the annotator runs it
in a worker, `earmark check` over submitted clips.
"""

from __future__ import annotations

import importlib
import importlib.util

import numpy as np

from earmark.align.result import CheckResult, WordScore

__all__ = ["CheckResult", "WordScore", "available", "check_transcript", "installed"]


NEEDS = ("pocketsphinx", "num2words")


def available() -> tuple[bool, str]:
    """(True, "") when the check can run, else (False, one line saying why it is off)."""
    return _verdict([m for m in NEEDS if not _importable(m, load=True)])


def installed() -> tuple[bool, str]:
    """`available` without importing anything: for a process that runs the check in a child
    (earmark.align.service), which imports the engine there and reports a broken one."""
    return _verdict([m for m in NEEDS if not _importable(m, load=False)])


def _verdict(missing: list[str]) -> tuple[bool, str]:
    if missing:
        return False, (
            f"acoustic check off: {' and '.join(missing)} not installed "
            "(pip install 'earmark[align]')"
        )
    return True, ""


def _importable(module: str, *, load: bool) -> bool:
    """Found on the path (and with `load`, imports); a module set to None in sys.modules
    counts as absent."""
    try:
        if importlib.util.find_spec(module) is None:
            return False
        if load:
            importlib.import_module(module)
    except (ImportError, ValueError):
        return False
    return True


def check_transcript(samples: np.ndarray, samplerate: int, text: str) -> CheckResult:
    """Score every word of `text` against the audio; see `earmark.align.scoring`."""
    ok, why = available()
    if not ok:
        return CheckResult([], why)
    from earmark.align.scoring import check

    return check(samples, samplerate, text)
