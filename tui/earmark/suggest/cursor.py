"""What the suggestion keys offer at the editor's cursor, and what taking one does.

Pure functions of (text, cursor) and the suggester, so the annotate screen and the
keystroke benchmark (tests/bench/ksr.py) run exactly the same logic.

Which word is pointed at: the word the cursor is in, or just after. With nothing typed (the
cursor at the start of a word the annotator moved to) the recogniser's other guesses for
that word are offered, after what the same recogniser's word became in transcripts
submitted before (`fixes`: it mishears a word the same way each time) and, in a lowercase
spoken-form batch, what is said for a written form (`mister` for `mr`, `spoken`). A word
of the guess left as it was, with the cursor just after it (where the editor puts it when
a clip opens), is *not* pointed at: nothing is offered for it, so Tab never replaces a
correct word the annotator did not choose; unless they have just typed its last letter
(`typed`): then it is the beginning of the word they write.
A pointed word that is not the guess's word there (the annotator started from an
alternative) has the guess's own word offered after the alternatives: the recogniser's
first choice is a likely fix of its second. So are its other spellings (`parlour` for
`parlor`): the recogniser spells as its dictionary does, the batch may not, and the
context model, which knows one spelling at best, would sink them.
Between words (where a word is missing) the words that usually follow the word before are
offered, to insert.
Once the annotator types, the fragment before the cursor leads: earlier fixes of the
recogniser's word and alternatives that start with it, then the suggester's words, ranked
by their resemblance to the recogniser's word there and by how often they followed the
word before.

With a context model (`context`, PocketSphinx's trigram when installed) a larger pool of
candidates is weighed by how well each fits between the two words before and the two
after; with nothing typed, the most common English words are candidates too (a wrong `to`
or `the` looks like nothing it should be, but its neighbours say what fits), taking at most
two of the five places. Both ways, the offer names a question for the clip's audio
(`choice`): its answer, when the caller has one, leads the suggester's words. The words
after are mostly still the recogniser's: where its
versions (the guess and the alternatives) disagree on one of them, it is likely wrong too,
and a candidate that fits it proves little, so the words after count half there.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from earmark.suggest.choice import Choice, audio_first
from earmark.suggest.context import AFTER
from earmark.suggest.engine import Suggester
from earmark.suggest.text import fold
from earmark.suggest.vocab import english_words
from earmark.textsafe import clean

SLOTS = 5
POOL = 80  # candidates weighed by the context model before the best five are shown (50 left
# the sound-alikes that begin with a typed letter too few places among the commonest words)
LM_WEIGHT = 0.8  # one nat of context probability is worth this much of the spelling score
COMMON = 200  # the most common English words, weighed by context where nothing is typed
COMMON_SLOTS = 2  # places among the five that common words may take
COMMON_GAP = 7.5  # how far below the best spelling match a common word starts
VARIANT_MIN = 4  # letters a word needs before its other spellings are offered
DISPUTED = 0.5  # what the words after count where the recogniser's versions disagree


@dataclass(frozen=True)
class Offer:
    """The suggestions for one (text, cursor): words for slots 1..5, the whole utterance."""

    words: tuple[str, ...]
    utterance: str | None
    start: int  # the span of text a word suggestion replaces
    end: int
    fragment: str  # what was typed of the word before the cursor
    # where each slot's replacement ends, when not at `end`: a term of several words typed
    # in place of one also takes the recogniser's words after it, one per further word
    ends: tuple[int, ...] = ()
    choice: Choice | None = None  # what to ask the audio about the word pointed at


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each whitespace-separated word."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
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


def _aligned(edited: list[str], guess: list[str], k: int) -> int | None:
    """The index of the guess word that the k-th edited word stands in for, if any."""
    m = difflib.SequenceMatcher(
        a=[w.lower() for w in edited], b=[w.lower() for w in guess], autojunk=False
    )
    for tag, i1, i2, j1, j2 in m.get_opcodes():
        if i1 <= k < i2 and tag in ("equal", "replace"):
            if tag == "equal" or i2 - i1 == j2 - j1:
                return j1 + (k - i1)
            return min(j1 + (k - i1) * (j2 - j1) // max(1, i2 - i1), j2 - 1)
    return None


def _after_weight(
    edited: list[str], guess: list[str], alternatives: tuple[str, ...], k: int
) -> float:
    """What the words from edited[k] on count in the context model: `DISPUTED` when the
    recogniser's versions disagree on one of those it weighs that the annotator left as
    it was, else 1."""
    if not alternatives:
        return 1.0
    for at in range(k, min(len(edited), k + AFTER)):
        j = _aligned(edited, guess, at)
        left = j is not None and fold(guess[j]) == fold(edited[at])
        if left and j is not None and alternatives_at(guess, alternatives, j):
            return DISPUTED
    return 1.0


def _variants(suggester: Suggester, word: str) -> list[str]:
    """The other spellings of `word`: pronounced the same and a letter more or less inside
    it (`parlour` for `parlor`, `neighbours` for `neighbors`, `judgement` for `judgment`;
    not `tel` for `tell` nor `bill's` for `bills`, other words), for words of
    `VARIANT_MIN` letters or more."""
    key = fold(word)
    if suggester.phonetic is None or len(key) < VARIANT_MIN:
        return []
    return [
        k
        for k, v in suggester.phonetic.neighbours(key).items()
        if v >= 1.0 and "'" not in k and _inside(k, key)
    ]


def _inside(a: str, b: str) -> bool:
    """One word is the other with one letter added inside it (not first, not last)."""
    short, long = sorted((a, b), key=len)
    if len(long) != len(short) + 1:
        return False
    p = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return 0 < p < len(short) and long[:p] + long[p + 1 :] == short


def alternatives_at(guess: list[str], alternatives: tuple[str, ...], j: int) -> list[str]:
    """What the other guesses have in place of guess word j (a phrase when several)."""
    low = [w.lower() for w in guess]
    out: list[str] = []
    for alt in alternatives:
        words = clean(alt).split()
        m = difflib.SequenceMatcher(a=low, b=[w.lower() for w in words], autojunk=False)
        for tag, a1, a2, b1, b2 in m.get_opcodes():
            if tag == "replace" and a1 <= j < a2 and b2 > b1:
                phrase = " ".join(words[b1:b2])
                if fold(phrase) != low[j] and phrase not in out:
                    out.append(phrase)
    return out


@cache
def _common() -> tuple[str, ...]:
    return tuple(english_words(COMMON))


def _in_context(
    suggester: Suggester,
    scored: list[tuple[str, float]],
    before: list[str],
    after: list[str],
    common: int = 0,
    weight: float = 1.0,
    kept: int = 0,
) -> list[str]:
    """The candidates ordered by their own score plus how well they fit between the words
    before and after (the context model); in their own order without one. The last
    `common` candidates (common words offered for their context alone) take at most
    `COMMON_SLOTS` of the first five places, so the words that sound or spell like the one
    being fixed keep theirs; `weight`: what the words after count. A term of several words
    fits before the words after those it takes (`kept`: how many of the words after are the
    recogniser's own, see `_phrase_ends`), as a single word fits before them all."""
    model = suggester.context_model
    if model is None:
        return [w for w, _ in scored]
    weighed = [
        (score + LM_WEIGHT * model.fit(w, before, after[_taken(w, kept) :], weight=weight), n, w)
        for n, (w, score) in enumerate(scored)
    ]
    order = sorted(weighed, key=lambda t: (-t[0], t[1]))
    extra = len(scored) - common
    first = [t for t in order if t[1] < extra]
    chosen = [t for t in order if t[1] >= extra][:COMMON_SLOTS]
    head = sorted(first[: SLOTS - len(chosen)] + chosen, key=lambda t: (-t[0], t[1]))
    rest = [t for t in order if t not in head]
    return [w for _, _, w in head + rest]


def offer(
    suggester: Suggester,
    text: str,
    cursor: int,
    limit: int = SLOTS,
    *,
    typed: bool = False,
    chosen: Callable[[Choice], str | None] | None = None,
) -> Offer:
    """The suggestions for the word at the cursor and for the whole utterance; `typed`: the
    annotator just typed the character before the cursor (so even a word that reads as the
    guess did, `a` typed to begin `alexa`, is being written, not passed by). `chosen`: what
    the audio chose for a `Choice` (None: not known, or nothing); that candidate leads the
    suggester's words. The offer names its `choice` for the caller to ask about."""
    cursor = max(0, min(cursor, len(text)))
    utterance = suggester.context_utterance()
    if utterance is not None and utterance.strip() == text.strip():
        utterance = None
    spans = word_spans(text)
    here = next((k for k, (a, b) in enumerate(spans) if a <= cursor <= b), None)
    before = [text[x:y] for x, y in spans if y < cursor]
    prev = before[-1] if before else None
    pool = POOL if suggester.context_model is not None else limit
    if here is None:  # between words: what usually follows the word before
        gap = suggester.predict(prev, limit) if prev else []
        if suggester.context_model is not None and prev:
            later = [text[x:y] for x, y in spans if x >= cursor]
            scored = [(w, 0.0) for w in gap] + [(w, -COMMON_GAP) for w in _common()]
            gap = _in_context(suggester, scored, before, later, len(_common()))
        gap = list(dict.fromkeys(suggester.style(w) for w in gap))
        return Offer(tuple(gap[:limit]), utterance, cursor, cursor, "")
    a, b = spans[here]
    current, fragment = text[a:b], text[a:cursor]
    after = [text[x:y] for x, y in spans[here + 1 :]]
    asr, alternatives = suggester.context
    guess = asr.split()
    edited = [text[x:y] for x, y in spans]
    j = _aligned(edited, guess, here) if guess else None
    asr_word = guess[j] if j is not None else None
    base = _base(edited, guess, alternatives)
    jb = _aligned(edited, base, here) if base is not guess else j
    base_word = base[jb] if jb is not None else None  # the recogniser's word being edited
    unchanged = base_word is not None and fold(base_word) == fold(current)
    alts = alternatives_at(guess, alternatives, j) if j is not None else []
    kept = 0  # words after the one typed that a term may take (`_kept`)
    choice: Choice | None = None
    if cursor == b and unchanged and not typed:
        words: list[str] = []  # the recogniser's word, not pointed at
    elif not fragment:
        predicted = suggester.predict(prev, limit, exclude=(current,)) if prev else []
        heard = suggester.heard_at(j)
        similar = [(s.text, s.score) for s in suggester.similar(current, pool, heard=heard)]
        top = similar[0][1] if similar else 0.0
        scored = [(w, top) for w in predicted] + similar
        common = [w for w in _common() if fold(w) != fold(current)]
        if suggester.context_model is not None:
            scored += [(w, top - COMMON_GAP) for w in common]
        else:
            common = []
        mine = [asr_word] if asr_word is not None and fold(asr_word) != fold(current) else []
        fixed = [w for k in (current, *mine) for w in suggester.fixed(k) + suggester.spoken(k)]
        own = mine + _variants(suggester, current)
        weight = _after_weight(edited, guess, alternatives, here + 1) if guess else 1.0
        order = _in_context(suggester, scored, before, after, len(common), weight)
        order, choice = audio_first(order, before, after, current, chosen)
        words = fixed + alts + own + order
    else:
        low = fold(fragment)
        fixed = suggester.fixed(asr_word) + suggester.spoken(asr_word) if asr_word else []
        was = fold(base_word) if base_word is not None else None
        mine = [asr_word] if asr_word is not None and fold(asr_word) != was else []
        words = [
            p for p in fixed + alts + mine if fold(p).startswith(low) and fold(p) not in (low, was)
        ]
        near = base_word if base_word is not None and fold(base_word) != low else None
        heard = suggester.heard_at(j)
        found = suggester.suggest(
            fragment, pool, near=near, after=prev, exclude=(current,), heard=heard
        )
        candidates = [(s.text, s.score) for s in found]
        weight = _after_weight(edited, guess, alternatives, here + 1) if guess else 1.0
        kept = _kept(edited, base, here) if base else 0
        order = _in_context(suggester, candidates, before, after, 0, weight, kept)
        order, choice = audio_first(order, before, after, current, chosen)
        words += order
    unique: list[str] = []
    for w in words:
        w = suggester.style(w)
        if w not in unique and w != current:
            unique.append(w)
    shown = tuple(unique[:limit])
    ends = _phrase_ends(shown, spans, here, b, kept) if fragment and guess else ()
    return Offer(shown, utterance, a, b, fragment, ends, choice)


def _base(edited: list[str], guess: list[str], alternatives: tuple[str, ...]) -> list[str]:
    """The recogniser's version the annotator is editing: the guess, or the alternative the
    text has more words of (taken with `use_alternative`). Its word where the cursor is was wrong
    if it is being retyped; the guess's word there, when another, is a likely fix."""
    if not alternatives or not guess:
        return guess
    low = [w.lower() for w in edited]

    def likeness(words: list[str]) -> tuple[int, float]:  # words in common, in order; on a
        # tie, the likeness of the lengths too (the annotator's edits change the length)
        m = difflib.SequenceMatcher(a=low, b=[w.lower() for w in words], autojunk=False)
        return sum(block.size for block in m.get_matching_blocks()), m.ratio()

    best, score = guess, likeness(guess)
    for alt in alternatives:
        words = clean(alt).split()
        if (r := likeness(words)) > score:
            best, score = words, r
    return best


def _taken(word: str, kept: int) -> int:
    """How many of the words after the one typed a slot of `word` takes (`_phrase_ends`)."""
    return min(len(word.split()) - 1, kept)


def _kept(edited: list[str], guess: list[str], here: int) -> int:
    """How many words after edited[here] are the guess's own there, untouched: the run of
    words right after it inside one block the edit left equal to the guess (one alignment
    for the whole text, not one a word: this runs at every key)."""
    m = difflib.SequenceMatcher(
        a=[w.lower() for w in edited], b=[w.lower() for w in guess], autojunk=False
    )
    for tag, i1, i2, _j1, _j2 in m.get_opcodes():
        if tag == "equal" and i1 <= here + 1 < i2:
            return i2 - (here + 1)
    return 0


def _phrase_ends(
    shown: tuple[str, ...], spans: list[tuple[int, int]], here: int, end: int, kept: int
) -> tuple[int, ...]:
    """Where each slot's replacement ends: a term of n words (`oat milk` typed in place of
    `so` in "so real that") takes the next n - 1 words too while they are still the
    recogniser's, as the guess had them there (`kept`, see `_kept`); any other slot ends at
    the word typed."""
    if not any(" " in w for w in shown):
        return ()
    return tuple(spans[here + m][1] if (m := _taken(w, kept)) else end for w in shown)


def apply_word(text: str, offered: Offer, n: int) -> tuple[str, int] | None:
    """(text, cursor) after taking slot n (1-based) of `offered`; None when it is empty."""
    if not 1 <= n <= len(offered.words):
        return None
    word = offered.words[n - 1]
    end = offered.ends[n - 1] if offered.ends else offered.end
    return text[: offered.start] + word + text[end:], offered.start + len(word)


def apply_utterance(offered: Offer) -> tuple[str, int] | None:
    """(text, cursor) after taking the whole-utterance suggestion, or None."""
    if not offered.utterance:
        return None
    return offered.utterance, len(offered.utterance)


def typed_span(before: str | None, value: str) -> tuple[int, int] | None:
    """Where the cursor can be if `value` is `before` with letters typed in one place (one
    or several, between two offers): (lo, hi), a range when the typed letters repeat their
    neighbours (`them` -> `themm`); None for any other change."""
    if before is None or len(value) <= len(before):
        return None
    n = len(value) - len(before)
    p = next(
        (k for k, (x, y) in enumerate(zip(before, value, strict=False)) if x != y), len(before)
    )
    if value[p + n :] != before[p:] or any(c.isspace() for c in value[p : p + n]):
        return None
    left = 0
    while p - left > 0 and value[p - left - 1] == value[p + n - left - 1]:
        left += 1
    right = 0
    while p + n + right < len(value) and value[p + right] == value[p + n + right]:
        right += 1
    return p + n - left, p + n + right
