"""What the annotator heard of the open clip, and how long they really worked on it.

**Listening before submitting.** A batch may require a share of each clip (`min_listen`,
e.g. 0.8) to have been heard before a transcript is taken: one-key voting without listening
ruins a dataset. "Heard" is the union of the stretches the player reported as played, at
any speed, in this visit and earlier ones (the `plays` table), measured on the clip's own
timeline: hearing the first second forty times is one second, and a clip left playing in
another window counts only what actually played. Time elapsed counts for nothing.

**Time on task.** Time with the clip open, less idle time: a gap with no key and no
playback longer than IDLE_LIMIT counts as IDLE_LIMIT (someone thinking over a word is
working; someone at lunch is not). Time listening is the playback time of the stretches
heard (a second of audio at 2x is half a second of listening).
"""

from __future__ import annotations

from collections.abc import Iterable

IDLE_LIMIT = 60.0  # seconds without a key or playback after which time stops counting
Span = tuple[float, float]


def merged(spans: Iterable[Span]) -> list[Span]:
    """The union of spans, as sorted, disjoint spans."""
    out: list[Span] = []
    for start, end in sorted((min(a, b), max(a, b)) for a, b in spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


class Coverage:
    """The heard share of one clip: stretches added as the player reports them."""

    def __init__(self, duration: float | None, required: float, spans: Iterable[Span] = ()):
        self.duration = float(duration or 0.0)
        self.required = max(0.0, min(1.0, float(required)))
        self._spans = merged(self._clip(s) for s in spans)
        self.listening_seconds = 0.0

    def _clip(self, span: Span) -> Span:
        end = self.duration if self.duration > 0 else max(span)
        return (max(0.0, min(span[0], end)), max(0.0, min(span[1], end)))

    def add(self, start: float, end: float, speed: float = 1.0) -> None:
        if end <= start:
            return
        self._spans = merged([*self._spans, self._clip((start, end))])
        self.listening_seconds += (end - start) / max(speed, 0.01)

    def heard_seconds(self, live: Span | None = None) -> float:
        spans = self._spans if live is None else merged([*self._spans, self._clip(live)])
        return sum(b - a for a, b in spans)

    def share(self, live: Span | None = None) -> float:
        if self.duration <= 0:
            return 1.0  # nothing to hear (or the length is unknown): never block on it
        return min(1.0, self.heard_seconds(live) / self.duration)

    def spans(self) -> list[Span]:
        return list(self._spans)

    def satisfied(self, live: Span | None = None) -> bool:
        # a hair of slack: a clip played to its end may stop a few milliseconds short
        return self.required <= 0 or self.share(live) + 0.005 >= self.required

    def left_text(self, live: Span | None = None) -> str:
        """Short, for the status line: '' when nothing is required or it is met."""
        if self.required <= 0 or self.satisfied(live):
            return ""
        return f"heard {100 * self.share(live):.0f}%, need {100 * self.required:.0f}%"

    def refusal(self, key_hint: str = "") -> str:
        left = max(0.0, self.required * self.duration - self.heard_seconds())
        return (
            f"Listen first: {100 * self.required:.0f}% of each clip must be heard before it "
            f"is submitted; {100 * self.share():.0f}% heard, about {left:.0f} s to go."
            f"{key_hint} Your text is kept."
        )


class TaskClock:
    """Active time on one clip under a monotonic clock: gaps without activity are capped."""

    def __init__(self, now: float, prior: float = 0.0) -> None:
        self.prior = prior
        self._active = 0.0
        self._last = now

    def touch(self, now: float, busy: float = 0.0) -> None:
        """A key or an edit just happened, or a stretch of playback `busy` seconds long just
        ended (the time it played was not idle, however long it was)."""
        gap = max(0.0, now - self._last)
        self._active += min(gap, IDLE_LIMIT + max(0.0, busy))
        self._last = now

    def seconds(self, now: float) -> float:
        return self.prior + self._active + min(max(0.0, now - self._last), IDLE_LIMIT)
