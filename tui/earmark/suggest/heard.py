"""What a second listen heard at each word of the guess: acoustic evidence for the slots.

The recogniser's guess is one path through what it heard; its runners-up differ from it
in a word or two each, and over a few hundred of them the words heard in place of a guess
word are the ones the audio supports there (`water` for `was`, `camera` for `family`,
`speaker` for `teacher`). The context model knows which words follow which, the sound-alike
search which words sound alike in general; this knows what *this clip* sounds like, so it
ranks the meant word high where the other two cannot (tests/bench/ksr.py).

The hypotheses come from earmark decoding the clip itself
(`earmark.align.firstguess.FreeDecoder.hypotheses`, in a child process of its own: see
app/screens/annotate/listening.py); here they are only text, aligned to the guess word by
word, each weighed by its place in the list (the best first, the hundredth still counting a
tenth). Nothing here knows about audio, pocketsphinx or Textual.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence

from earmark.suggest.ranking import Found
from earmark.suggest.segment import PREFIX, Segment
from earmark.suggest.text import fold
from earmark.textsafe import clean

RANK_POWER = 0.5  # hypothesis n (0 = the best) weighs 1 / (1 + n) ** RANK_POWER
MAX_HYPOTHESES = 200  # read at most this many: the rest weigh little and cost time
MIN_SHARE = 0.002  # a word heard in less of the (weighed) list than this is noise


def _key(word: str) -> str:
    """The word's matching key, in one piece (folding may leave a space: `´`)."""
    return "".join(fold(word).split())


class Heard:
    """Guess position -> {word key: share of the weighed hypotheses that put it there}."""

    def __init__(self, guess: str, hypotheses: Sequence[str]) -> None:
        self.guess = " ".join(clean(guess).split())
        low = [_key(w) for w in self.guess.split()]
        at: list[dict[str, float]] = [{} for _ in low]
        total = 0.0
        for n, hyp in enumerate(hypotheses[:MAX_HYPOTHESES]):
            weight = 1.0 / (1 + n) ** RANK_POWER
            total += weight
            words = [k for w in clean(hyp).split() if (k := _key(w))]
            if not low or words == low:
                continue
            m = difflib.SequenceMatcher(a=low, b=words, autojunk=False)
            for tag, a1, a2, b1, b2 in m.get_opcodes():
                if tag == "equal" or b1 == b2:
                    continue
                for t, w in enumerate(words[b1:b2]):
                    # a run of several words in place of a run of guess words: each heard
                    # word stands where its share of the run puts it (an insertion, at the
                    # guess words either side)
                    spots = [a1 + t * (a2 - a1) // (b2 - b1)] if a2 > a1 else [a1 - 1, a1]
                    for j in spots:
                        if 0 <= j < len(low) and w != low[j]:
                            at[j][w] = at[j].get(w, 0.0) + weight
        self._at = [{w: v / total for w, v in here.items()} for here in at]

    def at(self, j: int | None) -> dict[str, float]:
        """The words heard in place of guess word j, with their share (0..1)."""
        if j is None or not 0 <= j < len(self._at):
            return {}
        return self._at[j]

    def __len__(self) -> int:
        return len(self._at)


HEARD_BONUS = 6.0  # what the word heard most often in place of the guess word gains
HEARD_ZERO = 0.5  # the same with nothing typed, as a share of HEARD_BONUS
HEARD_BASE = PREFIX - 1.5  # a heard word that is no spelling match, with nothing typed


def weight(heard: Mapping[str, float], frag: str) -> dict[str, float]:
    """Each heard word that begins with `frag` and its bonus in the ranking: the one heard
    most often among them gets HEARD_BONUS (what is typed has ruled the others out)."""
    mine = {k: v for k, v in heard.items() if k.startswith(frag) and v >= MIN_SHARE}
    top = max(mine.values(), default=0.0)
    bonus = HEARD_BONUS * (HEARD_ZERO if not frag else 1.0)
    return {k: bonus * v / top for k, v in mine.items()} if top > 0 else {}


def heard_words(
    bonus: Mapping[str, float],
    frag: str,
    found: Found,
    locate: Callable[[str], tuple[Segment | None, int]],
) -> None:
    """Put the heard words of `bonus` (`weight`: those that begin with `frag`) that may be
    offered (`locate` finds them) into `found`, scored as completions of what is typed."""
    n = len(frag)
    for k in bonus:
        if k != frag and k not in found:
            seg, i = locate(k)
            if seg is not None:
                score = (PREFIX if frag else HEARD_BASE) + n / max(len(k), 1) + float(seg.bonus[i])
                found[k] = (score, seg.display[i], int(seg.tier[i]))
