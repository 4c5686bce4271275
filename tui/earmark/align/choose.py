"""The audio picks among the words offered: which of the candidates for the word being typed
the clip itself supports.

Once the annotator types a letter, the suggester has a few dozen candidates that fit the
letters, the words around and the recogniser's word there; only the audio can say which
one was said. PocketSphinx decodes the clip against a grammar that is exactly the text:
the words before the one being typed (the annotator's, already corrected), one of the
candidates, then the recogniser's words after it, each optional (they are often wrong, and
a wrong word the grammar had to keep would pull the boundaries). The candidate on the best
path is the one the audio supports. No language model takes part: the words around are
given, so the choice is acoustic.

A decode is a pass over the whole clip (measured with forty candidates: 0.1 s for a
7-second clip, 0.05 s for a 3-second one); the annotator runs it in the second listen's
child process, after the keys.
Words outside the pronouncing dictionary get a rule-made pronunciation (`g2p`). Anything that
is not a plain lowercase word (digits, markup, other scripts) is never put into a grammar:
the choice is then skipped, as the grammar's syntax must not be open to the text typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from earmark.align.g2p import pronounce
from earmark.align.resample import to_pcm16

PLAIN = re.compile(r"^[a-z]+(?:'[a-z]+)*$")


def plain(words: Sequence[str]) -> bool:
    """Every word (or word of a term) is a plain lowercase word: safe in a grammar."""
    return all(term.split() and all(PLAIN.match(w) for w in term.split()) for term in words)


class Chooser:
    """One loaded model (about a second to load), reused for every choice of a process."""

    def __init__(self) -> None:
        from earmark.align.engine import acoustic_decoder  # pocketsphinx, in the child only

        self._decoder: Any = acoustic_decoder()

    def _lookup(self, word: str) -> str | None:
        found = self._decoder.lookup_word(word)
        return str(found) if found else None

    def _known(self, words: Sequence[str]) -> None:
        for term in words:
            for w in term.split():
                if self._lookup(w) is None:
                    self._decoder.add_word(w, " ".join(pronounce(w, self._lookup)), False)

    def choose(
        self,
        samples: np.ndarray,
        samplerate: int,
        before: Sequence[str],
        candidates: Sequence[str],
        after: Sequence[str],
    ) -> str | None:
        """The candidate the audio supports between `before` and `after`, or None (nothing
        fits, or a word that cannot go into a grammar)."""
        before, after = [w.lower() for w in before], [w.lower() for w in after]
        cands = list(dict.fromkeys(c.lower() for c in candidates))
        if not cands or not plain(before) or not plain(cands) or not plain(after):
            return None
        self._known([*before, *cands, *after])
        rule = " ".join([*before, "(", " | ".join(cands), ")", *(f"[ {w} ]" for w in after)])
        d = self._decoder
        pcm = to_pcm16(samples, samplerate)
        try:
            d.add_jsgf_string("choice", f"#JSGF V1.0;\ngrammar choice;\npublic <s> = {rule} ;\n")
            d.activate_search("choice")
            d.start_utt()
            d.process_raw(pcm, full_utt=True)
            d.end_utt()
            hyp = d.hyp()
        except (RuntimeError, ValueError):  # a grammar or decode pocketsphinx refused
            return None
        if hyp is None:
            return None
        chosen = hyp.hypstr.split()[len(before) :]
        for cand in sorted(cands, key=lambda c: -len(c.split())):  # a term before its word
            if chosen[: len(cand.split())] == cand.split():
                return next(c for c in candidates if c.lower() == cand)
        return None
