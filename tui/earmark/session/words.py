"""Where the editor's words meet the recogniser's: which ASR words were unsure, which word the
cursor is in, and how edited words line up with the ASR words (for their timing and marks).

Pure text functions over a clip, kept apart from the Session so they are testable and usable by
the screen without any store or clock.
"""

from __future__ import annotations

from earmark.session.state import LOW_CONFIDENCE
from earmark.store import Clip


def low_confidence(clip: Clip, threshold: float = LOW_CONFIDENCE) -> list[int]:
    """Indexes of the ASR words the recogniser was unsure of."""
    return [i for i, w in enumerate(clip.words) if w.conf is not None and w.conf < threshold]


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each whitespace-separated word."""
    spans, i, n = [], 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        j = i
        while j < n and not text[j].isspace():
            j += 1
        spans.append((i, j))
        i = j
    return spans


def word_at(text: str, cursor: int) -> int | None:
    """Index of the word the cursor is in or just after."""
    spans = word_spans(text)
    for k, (a, b) in enumerate(spans):
        if a <= cursor <= b:
            return k
    before = [k for k, (_a, b) in enumerate(spans) if b <= cursor]
    return before[-1] if before else (0 if spans else None)


def align_words(edited: list[str], asr: list[str]) -> dict[int, int]:
    """Map edited-word index -> ASR word index where the words line up (difflib alignment)."""
    import difflib  # only needed once a clip has words to align

    m = difflib.SequenceMatcher(
        a=[w.lower() for w in edited], b=[w.lower() for w in asr], autojunk=False
    )
    out: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in m.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            for k in range(i2 - i1):
                out[i1 + k] = j1 + k
        elif tag == "replace":
            for k in range(i2 - i1):
                out[i1 + k] = min(j1 + k * (j2 - j1) // max(1, i2 - i1), j2 - 1)
    return out


def word_timing(clip: Clip, text: str, cursor: int) -> tuple[float, float] | None:
    """Start and end (seconds) of the ASR word under the editor's cursor, if timed."""
    k = word_at(text, cursor)
    if k is None or not clip.words:
        return None
    edited = [text[a:b] for a, b in word_spans(text)]
    j = align_words(edited, [w.word for w in clip.words]).get(k)
    if j is None:
        return None
    w = clip.words[j]
    if w.start is None or w.end is None:
        return None
    return (w.start, w.end)


def low_confidence_offsets(clip: Clip, text: str) -> list[int]:
    """Character offsets in `text` of words aligned to low-confidence ASR words."""
    low = set(low_confidence(clip))
    if not low:
        return []
    spans = word_spans(text)
    mapping = align_words([text[a:b] for a, b in spans], [w.word for w in clip.words])
    return sorted(spans[i][0] for i, j in mapping.items() if j in low)
