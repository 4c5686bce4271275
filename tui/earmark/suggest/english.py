"""wordfreq's English list, kept in the user's cache folder after the first read.

Importing wordfreq and reading its list costs about half a second (most of it the language
tables of a dependency the list does not need), which every annotator start would otherwise
pay before suggestions are ready; the cached copy reads in a few milliseconds. The file is
keyed by wordfreq's version and the length asked for; a cache that is missing, unreadable
or cannot be written just means reading wordfreq as before.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from platformdirs import user_cache_path

from earmark.suggest.text import has_letter


def cache_file(name: str) -> Path | None:
    """Where a list derived from wordfreq's is kept, by wordfreq's version; None without
    wordfreq."""
    try:
        release = version("wordfreq")
    except PackageNotFoundError:
        return None
    safe = "".join(ch for ch in release if ch.isalnum() or ch in ".-+")
    return user_cache_path("earmark", appauthor=False) / f"english-{safe}-{name}.txt"


def top_words(n: int) -> list[str]:
    """The n most frequent English words that have a letter, most frequent first."""
    if n <= 0:
        return []
    path = cache_file(str(n))
    if path is not None:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = path.read_text(encoding="utf-8")
            if text:
                return text.split("\n")
    from wordfreq import top_n_list

    words = [w for w in top_n_list("en", n) if has_letter(w)]
    if path is not None and words and not any("\n" in w for w in words):
        write(path, "\n".join(words))
    return words


def write(path: Path, text: str) -> None:
    """Whole or not at all: a half-written list must never be read as the list."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".english-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
