"""Suggestion engine figures: typo recall against rapidfuzz and SymSpell, and latency.

The vocabulary is synthetic but shaped like the real thing: a 200,000-term batch lexicon of
pronounceable pseudo-words (a third capitalised, like the names a lexicon is full of),
100,000 submitted voice-assistant transcripts built from templates, lexicon terms and
Zipf-distributed English words, and wordfreq's 50,000 most frequent English words.
Keystrokes are simulated by typing target words character by character (fragments of
2..10 characters), a third of them with a typo (substitution, deletion, insertion or
transposition after the first letter).

Recall: at least 500 realistic one-edit typos (a neighbouring key, a dropped, doubled or
extra letter, two letters swapped; anywhere in the word, the first letter included) of
common English words (Zipf-sampled from the 20,000 most frequent) and of domain words
(lexicon terms used in transcripts), typed whole. A typo that is itself a word of the
vocabulary is left out (no method can tell). earmark's `suggest` is measured against
rapidfuzz `fuzz.ratio` (extract, best 5, vocabulary ordered by frequency so that ties go
to the more common word) and SymSpell (symspellpy, edit distance 2, the same word counts)
over the same vocabulary in the same run. The index holds a 200,000-term lexicon, the
English list and the offerable words of 1,000,000 transcripts (as the store's word index
hands them over), plus a bounded memory of the most recent transcripts.

The *_ms figures are wall time, as the annotator would feel it; the *_cpu_* figures are
the thread's CPU time for the same calls, which stays meaningful when the machine is
shared and loaded (wall time then includes waiting for a core).
"""

from __future__ import annotations

import gc
import itertools
import random
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tui"))

from rapidfuzz import fuzz, process
from wordfreq import top_n_list, word_frequency

from earmark.suggest import Suggester, fold, offer
from earmark.suggest.context import load as load_context
from earmark.suggest.text import words_of

_ONSETS = [
    "b",
    "c",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "w",
    "y",
    "z",
    "bl",
    "br",
    "ch",
    "cl",
    "cr",
    "dr",
    "fl",
    "fr",
    "gl",
    "gr",
    "pl",
    "pr",
    "sc",
    "sh",
    "sk",
    "sl",
    "sm",
    "sn",
    "sp",
    "st",
    "str",
    "th",
    "tr",
    "tw",
    "wh",
    "qu",
] + [""] * 6
_NUCLEI = [
    "a",
    "e",
    "i",
    "o",
    "u",
    "a",
    "e",
    "i",
    "o",
    "ai",
    "ea",
    "ee",
    "ie",
    "oo",
    "ou",
    "y",
    "ay",
]
_CODAS = [
    "n",
    "r",
    "s",
    "t",
    "l",
    "m",
    "nd",
    "nt",
    "st",
    "ck",
    "ng",
    "rd",
    "rt",
    "x",
    "sh",
    "th",
] + [""] * 12
_KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def pseudo_words(n: int, rng: random.Random) -> list[str]:
    """n distinct pronounceable words, 2..4 syllables, a third capitalised."""
    out: set[str] = set()
    while len(out) < n:
        syl = rng.choice((2, 2, 2, 3, 3, 4))
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS) for _ in range(syl)
        )
        if len(word) < 4 or len(word) > 16:
            continue
        out.add(word.capitalize() if rng.random() < 0.33 else word)
    words = sorted(out)
    rng.shuffle(words)
    return words


def zipf_sampler(items: list[str], rng: random.Random, s: float = 1.0):
    cum = list(itertools.accumulate(1.0 / (i + 1) ** s for i in range(len(items))))

    def sample(k: int) -> list[str]:
        return rng.choices(items, cum_weights=cum, k=k)

    return sample


def transcripts(n: int, lexicon: list[str], english: list[str], rng: random.Random) -> list[str]:
    lex = zipf_sampler(lexicon, rng, 0.8)
    spoken = [w for w in english if w.replace("'", "").isalpha()]  # no "u.s", "😂", "©"
    eng = zipf_sampler(spoken[:20_000], rng, 1.0)
    templates = [
        lambda: f"alexa play {lex(1)[0]}",
        lambda: f"play {lex(1)[0]} by {lex(1)[0]}",
        lambda: f"hey google call {lex(1)[0]}",
        lambda: f"what's the weather in {lex(1)[0]}",
        lambda: f"set a timer for {rng.randint(1, 60)} minutes",
        lambda: f"remind me to {' '.join(eng(rng.randint(2, 5)))}",
        lambda: " ".join(eng(rng.randint(3, 9))),
        lambda: " ".join(eng(rng.randint(2, 6))),
    ]
    return [rng.choice(templates)() for _ in range(n)]


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if kind == 0:
        return word[:i] + letter + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + letter + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def keystrokes(targets: list[str]) -> list[str]:
    frags = []
    for word in targets:
        for n in range(2, min(10, len(word)) + 1):
            frags.append(word[:n])
    return frags


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def noisy(text: str, rng: random.Random, english: list[str]) -> str:
    words = text.split()
    i = rng.randrange(len(words))
    kind = rng.randrange(3)
    if kind == 0 and len(words[i]) > 5:  # the recogniser splits a word
        cut = len(words[i]) // 2
        words[i : i + 1] = [words[i][:cut], words[i][cut:]]
    elif kind == 1:
        words[i] = typo(words[i], rng)
    else:
        words[i] = rng.choice(english[:2000])
    return " ".join(words)


def realistic_typo(word: str, rng: random.Random, first: bool = False) -> str:
    """One edit as fingers make it; at the first letter when `first`."""
    i = 0 if first else rng.randrange(len(word))
    kind = rng.randrange(5)
    c = word[i]
    row = next((r for r in _KEYBOARD if c in r), None)
    if kind == 0 and row:  # a neighbouring key
        j = row.index(c)
        near = [row[k] for k in (j - 1, j + 1) if 0 <= k < len(row)]
        return word[:i] + rng.choice(near) + word[i + 1 :]
    if kind == 1 and len(word) > 3:  # dropped
        return word[:i] + word[i + 1 :]
    if kind == 2:  # doubled
        return word[:i] + c + word[i:]
    if kind == 3 and i + 1 < len(word):  # swapped with the next
        return word[:i] + word[i + 1] + c + word[i + 2 :]
    extra = rng.choice(row) if row else "e"  # an extra key struck
    return word[:i] + extra + word[i:]


def typo_set(
    english: list[str], domain: list[str], vocab: set[str], rng: random.Random, n: int
) -> list[tuple[str, str, bool]]:
    """(typo, target, first-letter typo) for n targets: 60% English, 40% domain."""
    common = [w for w in english[:20_000] if w.isalpha() and len(w) >= 3]
    eng = zipf_sampler(common, rng, 0.9)
    out: list[tuple[str, str, bool]] = []
    while len(out) < n:
        target = eng(1)[0] if rng.random() < 0.6 else rng.choice(domain)
        first = rng.random() < 0.25
        bad = realistic_typo(target, rng, first)
        if bad != target and fold(bad) not in vocab:
            out.append((bad, target, first))
    return out


def recall(
    sugg: Suggester, vocab_by_freq: list[str], counts: dict[str, int], typos: list
) -> dict[str, float]:
    from symspellpy import SymSpell, Verbosity

    sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
    for w in vocab_by_freq:
        sym.create_dictionary_entry(w, max(1, counts.get(w, 1)))
    at5 = at1 = first_hits = firsts = rf = ss = 0
    for bad, target, first in typos:
        want = fold(target)
        got = [fold(s.text) for s in sugg.suggest(bad, 5)]
        at5 += want in got
        at1 += bool(got) and got[0] == want
        firsts += first
        first_hits += first and want in got
        hits = process.extract(bad, vocab_by_freq, scorer=fuzz.ratio, processor=None, limit=5)
        rf += want in [h[0] for h in hits]
        items = sym.lookup(bad, Verbosity.ALL, max_edit_distance=2)
        ss += want in [i.term for i in items[:5]]
    n = len(typos)
    return {
        "suggest_recall_at5": round(at5 / n, 3),
        "suggest_recall_at1": round(at1 / n, 3),
        "suggest_recall_first_letter": round(first_hits / max(firsts, 1), 3),
        "suggest_recall_at5_fuzz_ratio": round(rf / n, 3),
        "suggest_recall_at5_symspell": round(ss / n, 3),
        "suggest_typos": n,
    }


def learned_index(
    n: int, lexicon: list[str], english: list[str], rng: random.Random
) -> tuple[list[tuple[str, int, int]], list[str]]:
    """What the store's word index holds after n transcripts: (word, uses, clips); and the
    most recent transcripts (the bounded utterance memory's input)."""
    uses: Counter[str] = Counter()
    clips: Counter[str] = Counter()
    recent: list[str] = []
    step = 50_000
    for start in range(0, n, step):
        batch = transcripts(min(step, n - start), lexicon, english, rng)
        for text in batch:
            found = text.split()
            uses.update(found)
            clips.update(set(found))
        recent = batch
    return [(w, uses[w], clips[w]) for w in uses], recent


def figures(quick: bool) -> dict[str, float]:
    rng = random.Random(4)
    n_lex, n_tr = (20_000, 50_000) if quick else (200_000, 1_000_000)
    english = top_n_list("en", 50_000)
    lexicon = pseudo_words(n_lex, rng)
    learned, recent = learned_index(n_tr, lexicon, english, rng)

    # As `Store.lexicon()` hands it over (ORDER BY term): the index build profits from it.
    lexicon_from_store = sorted(lexicon)
    rss_before = rss_mb()
    started, cpu0 = time.perf_counter(), time.process_time()
    sugg = Suggester(lexicon=lexicon_from_store, learned=learned, transcripts=recent)
    build_s = time.perf_counter() - started
    build_cpu_s = time.process_time() - cpu0
    rss_after = rss_mb()

    # The same vocabulary for everyone, most frequent first, with counts for SymSpell.
    counts: dict[str, int] = {}
    for w in english:
        for k in {fold(x) for x in words_of(w)}:
            counts[k] = max(counts.get(k, 0), int(word_frequency(w, "en") * 1e9))
    for w, n_uses, n_clips in learned:
        if n_clips >= 3:
            counts[fold(w)] = counts.get(fold(w), 0) + n_uses
    vocab = set(sugg._static.keys)
    vocab_by_freq = sorted(vocab, key=lambda w: -counts.get(w, 0))
    used = {fold(w) for w, _, c in learned if c >= 3}
    domain = [w.lower() for w in lexicon if fold(w) in used] or [w.lower() for w in lexicon]
    typos = typo_set(english, domain, vocab, rng, 200 if quick else 600)
    result = recall(sugg, vocab_by_freq, counts, typos)

    # What the annotator types: lexicon terms, words from past transcripts, English words.
    learned_words = [w for t in recent[:5000] for w in t.split()]
    targets = []
    for _ in range(60 if quick else 300):
        pick = rng.random()
        if pick < 0.4:
            word = rng.choice(lexicon).lower()
        elif pick < 0.7:
            word = rng.choice(learned_words)
        else:
            word = rng.choice(english[:20_000])
        targets.append(typo(word, rng) if rng.random() < 0.33 else word)
    frags = keystrokes(targets)

    clips = rng.sample(recent, 20)
    times, cpu = [], []
    for k, frag in enumerate(frags):
        if k % 40 == 0:  # a new clip now and then, with its alternatives
            alt = clips[(k // 40) % len(clips)]
            sugg.set_context(alt, [alt])
        t0, c0 = time.perf_counter(), time.thread_time()
        sugg.suggest(frag, 5, near=targets[k % len(targets)])
        cpu.append((time.thread_time() - c0) * 1000)
        times.append((time.perf_counter() - t0) * 1000)

    # What a keystroke costs on the screen: `offer` at the cursor of a line (the typed
    # fragment after the clip's words, or pointing at one of its words with nothing typed),
    # with the context model and the sound-alikes when PocketSphinx is installed (the clip's
    # guess words are looked up in a worker as the clip opens, as on the screen).
    sugg.context_model = load_context()
    sugg.load_phonetic()
    with_model = sugg.context_model is not None
    offers, offers_cpu = [], []
    for k, frag in enumerate(frags):
        line = clips[(k // 40) % len(clips)]
        if k % 40 == 0:
            sugg.set_context(line, [line])
        words = line.split()
        if k % 4 == 0:  # pointing at a word of the guess
            head = " ".join(words[: k % len(words)])
            text, cursor = line, len(head) + (1 if head else 0)
        else:
            text = line + " " + frag
            cursor = len(text)
        t0, c0 = time.perf_counter(), time.thread_time()
        offer(sugg, text, cursor)
        offers_cpu.append((time.thread_time() - c0) * 1000)
        offers.append((time.perf_counter() - t0) * 1000)

    # The naive way, over the same words: default scorer (WRatio), every word, every key.
    naive = []
    for frag in rng.sample(frags, 8 if quick else 40):
        t0 = time.perf_counter()
        process.extract(frag, vocab_by_freq, limit=5)
        naive.append((time.perf_counter() - t0) * 1000)

    # Whole utterances: half repeats with recogniser noise, half never seen.
    queries = [noisy(rng.choice(recent), rng, english) for _ in range(100 if quick else 400)]
    queries += transcripts(len(queries), pseudo_words(2000, rng), english[20_000:], rng)
    utt, utt_cpu = [], []
    hits = 0
    for q in queries:
        t0, c0 = time.perf_counter(), time.thread_time()
        hits += sugg.utterance(q) is not None
        utt_cpu.append((time.thread_time() - c0) * 1000)
        utt.append((time.perf_counter() - t0) * 1000)

    # Learning while annotating: each submit teaches a transcript, some words new.
    fresh = pseudo_words(300, random.Random(99))
    adds = []
    for i in range(300):
        t0 = time.perf_counter()
        sugg.add_transcript(f"alexa play {fresh[i]} please", clip=i)
        adds.append((time.perf_counter() - t0) * 1000)

    # What the index holds once built, and the peak while building (Python and numpy).
    vocab_words = len(sugg)
    del sugg
    gc.collect()
    tracemalloc.start()
    kept = Suggester(lexicon=lexicon_from_store, learned=learned, transcripts=recent)
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept

    ours, theirs = p95(times), p95(naive)
    result.update(
        {
            "suggest_ms_p95": round(ours, 3),
            "suggest_naive_ms_p95": round(theirs, 2),
            "suggest_speedup": round(theirs / ours, 1),
            "suggest_keystrokes": len(frags),
            "suggest_vocab_words": vocab_words,
            "suggest_index_build_s": round(build_s, 3),
            "suggest_index_build_cpu_s": round(build_cpu_s, 3),
            "suggest_index_rss_mb": round(rss_after - rss_before, 1),
            "suggest_index_mb": round(held / 2**20, 1),
            "suggest_index_build_peak_mb": round(peak / 2**20, 1),
            "suggest_cpu_ms_p95": round(p95(cpu), 3),
            "offer_ms_p95": round(p95(offers), 3),
            "offer_cpu_ms_p95": round(p95(offers_cpu), 3),
            "offer_context_model": with_model,
            "utterance_ms_p95": round(p95(utt), 3),
            "utterance_cpu_ms_p95": round(p95(utt_cpu), 3),
            "utterance_hit_rate": round(hits / len(queries), 3),
            "suggest_add_transcript_ms_p95": round(p95(adds), 3),
        }
    )
    return result


if __name__ == "__main__":
    import json

    print(json.dumps(figures("--quick" in sys.argv), indent=1))
