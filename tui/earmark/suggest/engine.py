"""The Suggester: words for the fragment being typed, and a whole transcript when one repeats.

Candidates come from five sources, strongest first: the clip itself (the words of its guess
and alternatives), the batch lexicon, words learned from this project's submitted
transcripts (offerable ones only, see `learning`), and wordfreq's English list (past its
50,000 words, `rare`). Ranking adds how well a word matches (completion, or correction of
a typo), its source, how common it is, and how much it resembles the recogniser's word at
the cursor, in spelling and in sound (`phonetic`): the annotator is replacing that word
with one that sounded like it, and never with the same word again.

What the recogniser's words became in submitted transcripts is remembered too (`fixes`),
and offered where the same word is pointed at again.

Suggestions are spelled as the batch writes its text (`text.Convention`): a batch whose
guesses are lowercase spoken form gets lowercase suggestions.

Thread safety: the index may be built in a worker thread (the constructor does all the
work); afterwards one lock makes every method safe to call from different threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from earmark.suggest import rare
from earmark.suggest.context import ContextModel
from earmark.suggest.fixes import Fixes, replaced
from earmark.suggest.following import FOLLOWERS, Following
from earmark.suggest.heard import Heard, heard_words, weight
from earmark.suggest.learning import (
    MIN_CLIPS,
    Pending,
    WordStore,
    learnable_words,
    offerable_counts,
    record_submit,
)
from earmark.suggest.loading import Older, from_store, learn_in_slices, newest_first, prepare
from earmark.suggest.phonetic import Phonetic, sound_alikes
from earmark.suggest.phonetic import load as load_phonetic
from earmark.suggest.ranking import KEEP, Found, Suggestion, collect, ranked
from earmark.suggest.segment import LEXICON, PREFIX, Segment, empty_segment
from earmark.suggest.spoken import spoken
from earmark.suggest.text import (
    Convention,
    clean_all,
    fold,
    infer_convention,
    key,
    lexicon_terms,
    styled,
    words_of,
)
from earmark.suggest.utterances import CAPACITY, Utterances
from earmark.suggest.vocab import Vocab, clip_segment, count_words, english_words, extra_segment
from earmark.textsafe import clean

MAX_FRAGMENT = 64
UTTERANCE_THRESHOLD = 85.0
PHRASE_WEIGHT = 3  # a multi-word lexicon term counts as this many uses of its word pairs


class Suggester:
    """Suggestions for the word being typed, and a whole transcript when one repeats."""

    def __init__(
        self,
        *,
        lexicon: Iterable[str] = (),
        transcripts: Iterable[str] = (),
        english: int = 50_000,
        utterance_threshold: float = UTTERANCE_THRESHOLD,
        learned: Iterable[tuple[str, int, int]] = (),
        corrections: Iterable[tuple[str, str]] = (),
        min_clips: int = MIN_CLIPS,
        convention: Convention | None = None,
        capacity: int = CAPACITY,
        context_model: ContextModel | None = None,
    ) -> None:
        """`learned`: (spelling, uses, clips) from a word index; `transcripts`: submitted
        texts, each counted as a clip of its own; `corrections`: (guess, transcript) pairs;
        `context_model`: weighs words by the words around them (`context.load()`)."""
        self._lock = threading.RLock()
        self.context_model = context_model
        self.phonetic: Phonetic | None = None
        self.rare: rare.RareWords | None = None  # words past the English list
        self.utterance_threshold = utterance_threshold
        self.convention = convention
        self._store: WordStore | None = None
        self._pending = Pending(min_clips)
        words = english_words(english)
        self._n_english = len(words)
        texts = clean_all(transcripts)
        vocab = Vocab()
        vocab.add_english(words)
        terms = lexicon_terms(clean_all(lexicon))
        vocab.add_lexicon(terms)
        known = set(vocab.index)
        vocab.add_learned((w, n) for w, n, clips in learned if clips >= min_clips)
        vocab.add_learned(offerable_counts(texts, known, self._pending))
        self._static = vocab.segment(self._n_english)
        del vocab
        # Words that become offerable later live in a small segment, rebuilt when one is added.
        self._extra: dict[str, tuple[str, int]] = {}
        self._extra_seg = empty_segment(self._n_english)
        self._context = empty_segment(self._n_english)
        self._context_texts: tuple[str, tuple[str, ...]] = ("", ())
        self._context_convention = Convention.AS_TYPED
        self._heard: Heard | None = None  # what a second listen heard in the open clip
        self._utterances = Utterances(capacity)
        self._following = Following()
        self._fixes = Fixes()
        for term in terms:
            if " " in term:
                self._following.add((key(w) for w in words_of(term)), PHRASE_WEIGHT)
        for text in texts[-capacity:]:
            self._utterances.add(text)
            self._following.add(key(w) for w in words_of(text))
        prepare(newest_first(corrections)).remember(self._utterances, self._following, self._fixes)
        self._utterance_cache: dict[tuple[str, tuple[str, ...]], tuple[str, float] | None] = {}
        self.older: threading.Thread | None = None  # from_store's `learn_older`

    def learn_older(self, read: Callable[[], Sequence[tuple[str, str]]]) -> threading.Thread:
        """Learn the (guess, transcript) pairs `read()` gives, older than all it knows, in time
        order, on a thread of its own, a slice at a time: typing and submits go first."""

        def remember(older: Older) -> None:
            with self._lock:
                older.remember(self._utterances, self._following, self._fixes)
                self._utterance_cache.clear()

        return learn_in_slices(read, remember)

    @classmethod
    def from_store(
        cls, store: object, *, english: int = 50_000, word_limit: int = 200_000
    ) -> Suggester:
        """A bounded slice of what a store knows (see `loading.from_store`). Run it off the UI
        thread (it may fill the word index the first time, and loads the model)."""
        built: Suggester = from_store(cls, store, english=english, word_limit=word_limit)
        return built

    def load_phonetic(self) -> None:
        """Pronunciations of the offerable English and lexicon words, from the dictionary
        PocketSphinx ships (none without it): the sound-alikes of the recogniser's word."""
        keys = set(self._static.keys)
        found, past = load_phonetic(keys.__contains__), rare.load(self._n_english)
        with self._lock:
            self.phonetic, self.rare = found, past

    # -- updates ------------------------------------------------------------------------
    def add_transcript(
        self,
        text: str,
        *,
        clip: int | None = None,
        guess: str | None = None,
        redacted: Iterable[str] = (),
    ) -> None:
        """Learn a submitted transcript; `redacted`: the words marked for redaction in it,
        which are never learned (and keep the whole utterance out of the memory)."""
        text = clean(text)
        marks = [m for m in redacted if m and m.strip()]
        words = learnable_words(text, marks)
        with self._lock:
            if not marks:
                self._utterances.add(text, clean(guess or ""))
                self._fixes.add(replaced(clean(guess or ""), text))
                self._following.add(key(w) for w in words)
            self._utterance_cache.clear()
            grown = count_words(words, clip, self._locate, self._extra, self._pending)
            if grown:  # copy-on-write: a fresh small segment; the big one is never rebuilt
                self._extra_seg = extra_segment(self._extra, self._n_english)
        if self._store is not None and clip is not None:
            record_submit(self._store, clip, text, guess, marks)

    def _locate_any(self, k: str) -> tuple[Segment | None, int]:
        return self._locate(k, context=True)

    def _locate(self, k: str, *, context: bool = False) -> tuple[Segment | None, int]:
        segs = (self._context, self._static, self._extra_seg)
        for seg in segs if context else segs[1:]:
            i = seg.find(k)
            if i >= 0:
                return seg, i
        return None, -1

    def set_context(
        self, asr: str, alternatives: Sequence[str] = (), convention: Convention | None = None
    ) -> None:
        """The clip now being transcribed: its guess's and alternatives' words rank first."""
        asr = clean(asr)
        alts = tuple(clean(a) for a in alternatives)
        with self._lock:
            self._context = clip_segment(asr, alts, self._locate, self._n_english)
            self._context_texts = (asr, alts)
            self._heard = None
            self._context_convention = (
                convention or self.convention or infer_convention((asr, *alts))
            )
            phonetic = self.phonetic
        if phonetic is not None:  # the sound-alikes of the guess words, before they are asked
            words = [key(w) for w in words_of(asr)]
            phonetic.warm_soon(words)

    def set_heard(self, heard: Heard) -> bool:
        """What a second listen to the open clip heard (`heard.Heard`, built off the UI
        thread). False, and kept for nothing, when it is for another clip's guess."""
        with self._lock:
            if heard.guess != " ".join(self._context_texts[0].split()):
                return False
            self._heard = heard
            return True

    def heard_at(self, j: int | None) -> dict[str, float]:
        """The words heard in place of the open clip's guess word j (key -> share)."""
        with self._lock:
            return self._heard.at(j) if self._heard is not None else {}

    @property
    def context(self) -> tuple[str, tuple[str, ...]]:
        """(guess, alternatives) of the clip given to `set_context`."""
        with self._lock:
            return self._context_texts

    def style(self, text: str) -> str:
        """A suggestion spelled as the current batch writes its text."""
        return styled(text, self._context_convention)

    # -- queries ------------------------------------------------------------------------
    def suggest(
        self,
        fragment: str,
        limit: int = 5,
        *,
        near: str | None = None,
        after: str | None = None,
        exclude: Collection[str] = (),
        heard: Mapping[str, float] | None = None,
    ) -> list[Suggestion]:
        """Up to `limit` words completing (or correcting) the fragment, best first.

        `near`: the recogniser's word at the cursor; words resembling it rank higher, and
        it is never offered itself. `after`: the word before the cursor; words that followed
        it in this batch rank higher. The fragment itself is never offered.
        """
        frag = fold(" ".join(clean(fragment).split()))
        n = len(frag)
        if limit <= 0 or n < 1 or n > MAX_FRAGMENT:
            return []
        near_key = fold(near) if near else ""
        want = max(limit + len(exclude) + 2, KEEP if near_key else limit + 4)
        found: Found = {}
        corrections: dict[str, float] = {}  # whole-word corrections: key -> commonness
        with self._lock:
            for seg in (self._context, self._static, self._extra_seg):
                if not len(seg):
                    continue
                where, scores = seg.prefix(frag, want)
                collect(found, seg, where, scores)
                if n >= 3:
                    where, scores, whole = seg.fuzzy(frag, 1 if n < 6 else 2)
                    collect(found, seg, where, scores)
                    for i, c in zip(whole.tolist(), seg.commonness(whole).tolist(), strict=True):
                        k = seg.keys[i]
                        corrections[k] = max(c, corrections.get(k, 0.0))
            following = self._followers(after)
            sounds = sound_alikes(self.phonetic, near_key, frag, found, self._locate_any)
            rare.rare_words(self.rare, frag, found, self._locate_any)
            bonus = weight(heard, frag) if heard else {}
            heard_words(bonus, frag, found, self._locate_any)
            for k in following:
                if k.startswith(frag) and k not in found:
                    at, i = self._locate(k, context=True)
                    if at is not None:
                        score = PREFIX + n / max(len(k), 1) + float(at.bonus[i])
                        found[k] = (score, at.display[i], int(at.tier[i]))
        fixes = {k: c for k, c in corrections.items() if not k.startswith(frag)}
        return ranked(
            found,
            banned={frag, *exclude},
            near_key=near_key,
            limit=limit,
            style=self.style,
            corrections=fixes,
            following=following,
            sounds=sounds,
            unvouched=self._unvouched,
            heard=bonus or None,
        )

    def _unvouched(self, k: str) -> bool:
        """k is known to the lexicon alone: never written here, not an English word."""
        with self._lock:
            seg, i = self._locate(k, context=True)
            return (
                seg is not None and seg.tier[i] == LEXICON and seg.count[i] == 0 and seg.rank[i] < 0
            )

    def similar(
        self,
        word: str,
        limit: int = 5,
        *,
        exclude: Collection[str] = (),
        heard: Mapping[str, float] | None = None,
    ) -> list[Suggestion]:
        """Words one or two edits from `word` (the recogniser's word the annotator points
        at), ranked by resemblance, source and frequency; `word` itself is never offered."""
        w = fold(" ".join(clean(word).split()))
        if limit <= 0 or not 2 <= len(w) <= MAX_FRAGMENT:
            return []
        found: Found = {}
        with self._lock:
            for seg in (self._context, self._static, self._extra_seg):
                if len(seg):
                    where, scores, _ = seg.fuzzy(w, 1 if len(w) < 5 else 2)
                    collect(found, seg, where, scores)
            sounds = sound_alikes(self.phonetic, w, "", found, self._locate_any)
            bonus = weight(heard, "") if heard else {}
            heard_words(bonus, "", found, self._locate_any)
        banned = {w, *exclude}
        return ranked(
            found,
            banned=banned,
            near_key=w,
            limit=limit,
            style=self.style,
            sounds=sounds,
            heard=bonus or None,
        )

    def fixed(self, word: str) -> list[str]:
        """What the recogniser's `word` became in transcripts submitted here (`fixes`), the
        most frequent first: those that may be offered."""
        with self._lock:
            found = self._fixes.of(key(word))
            return [self.style(w) for w in found if self._offerable(w)]

    def spoken(self, word: str) -> list[str]:
        """What a lowercase spoken-form batch writes for the recogniser's `word` (`mister`
        for `mr`, see `spoken`), where offerable; nothing in a batch of another convention."""
        with self._lock:
            if self._context_convention is not Convention.LOWER:
                return []
            return [s for s in spoken(word) if self._offerable(s)]

    def predict(self, after: str, limit: int = 5, *, exclude: Collection[str] = ()) -> list[str]:
        """Words that followed `after` in this batch, most often first (offerable ones)."""
        banned = {fold(x) for x in exclude}
        out: list[str] = []
        with self._lock:
            for k in self._followers(after):
                seg, i = self._locate(k, context=True)
                if seg is not None and k not in banned:
                    out.append(self.style(seg.display[i]))
        return out[:limit]

    def _followers(self, after: str | None) -> dict[str, float]:
        if not after:
            return {}
        return dict(self._following.after(fold(after), FOLLOWERS))

    def context_utterance(self) -> str | None:
        """`utterance` for the clip given to `set_context` (its guess and alternatives)."""
        return self.utterance(*self.context)

    def utterance(self, asr: str, alternatives: Sequence[str] = ()) -> str | None:
        """A submitted transcript that closely matches the guess (or an alternative), or the
        earlier correction of the same guess; only transcripts whose every word may be
        offered here come back (see `learning`)."""
        return m[0] if (m := self.utterance_match(asr, alternatives)) else None

    def utterance_match(
        self, asr: str, alternatives: Sequence[str] = ()
    ) -> tuple[str, float] | None:
        """(transcript, similarity 0..100) of the best match at or above the threshold."""
        query = (asr, tuple(alternatives))
        with self._lock:
            if query in self._utterance_cache:
                return self._utterance_cache[query]
            hit = self._utterances.best_of(
                (asr, *alternatives), self.utterance_threshold, self._offerable
            )
            best = (self.style(hit[0]), hit[1]) if hit else None
            if len(self._utterance_cache) >= 256:
                self._utterance_cache.clear()
            self._utterance_cache[query] = best
            return best

    def _offerable(self, text: str) -> bool:
        segs = (self._static, self._extra_seg, self._context)
        return all(any(s.find(key(w)) >= 0 for s in segs) for w in words_of(text))

    def __len__(self) -> int:
        """How many distinct words can be suggested (context excluded)."""
        return len(self._static) + len(self._extra_seg)
