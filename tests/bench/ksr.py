"""Keystroke saving rate: what the suggestions save a simulated expert annotator.

    python tests/bench/ksr.py MANIFEST REFERENCES.json [--lexicon FILE] --json [--clips]

prints {"ksr", "keys_per_clip", "plain_keys_per_clip", "clips"}; `--clips` also prints,
per clip on stderr, where the keys went (letters typed, suggestion slots taken, deletions,
the start: accept_asr, alternatives or the whole utterance; and the submit).
REFERENCES.json maps each manifest line's `id` to its true transcript; clips without a
reference (or without consent) are left out.

The plain-editor cost of a clip comes from a word-level edit alignment of guess and
reference: the characters of every inserted or substituted word, one key per deleted word,
and one key to submit. The tool cost is what the annotator presses in earmark, through the
very functions the annotate screen calls (`earmark.suggest.offer`, `apply_word`,
`apply_utterance`): `accept_asr` (one key) when the guess is right; otherwise the best start
(the guess, an alternative after n presses of `use_alternative`, or the whole-utterance
suggestion for one key), then for each word to fix the cheapest of: taking a slot offered
with nothing typed (one key), typing k letters and taking the slot that then holds the word
(k + 1 keys), or typing the whole word; one key per deleted word, one to submit. Cursor
movement counts the same on both sides and is left out. The annotator works through the
clips in manifest order and each submit teaches the suggester, as in the annotator.
`ksr` = 1 - tool / plain over all clips. The suggester gets the context model when
PocketSphinx is installed, as the annotator's does, and its pronouncing dictionary (the
sound-alikes of the recogniser's word); KSR_NO_LM=1 measures without either. Where a clip's
audio can be read (its path is relative to the manifest's folder) it also gets the
annotator's second listen: PocketSphinx decodes the clip, one process for the whole run
(as the annotator's child process does), and its n-best hypotheses weigh the slots
(`earmark.suggest.heard`); KSR_NO_HEARD=1 measures without it. `--clips` marks the clips
that had one. With it, once a letter is typed the audio chooses among the best candidates
(`earmark.align.choose`, the question `offer` names as its `choice`), as the annotator's
listen child does after the keys; here it is asked at once, synchronously (the annotator
gets it a decode later: 0.1 s for a 7-second clip). KSR_NO_CHOICE=1 measures
without it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tui"))

from earmark.suggest import Choice, Offer, Suggester, apply_utterance, apply_word, offer
from earmark.suggest.context import load
from earmark.suggest.heard import Heard

KINDS = ("start", "letters", "slots", "deletions", "submit")
_chosen: Callable[[Choice], str | None] | None = None  # the open clip's choices (`SecondListen`)


def _offer(sugg: Suggester, text: str, cursor: int, typed: bool = False) -> Offer:
    return offer(sugg, text, cursor, typed=typed, chosen=_chosen)


def align(hyp: list[str], ref: list[str]) -> list[tuple[str, int, int]]:
    """Word-level edit script: ("equal"|"sub"|"del"|"ins", hyp index, ref index)."""
    n, m = len(hyp), len(ref)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            same = hyp[i - 1] == ref[j - 1]
            d[i][j] = min(d[i - 1][j - 1] + (0 if same else 1), d[i - 1][j] + 1, d[i][j - 1] + 1)
    ops: list[tuple[str, int, int]] = []
    i, j = n, m
    while i or j:
        if i and j and d[i][j] == d[i - 1][j - 1] + (hyp[i - 1] != ref[j - 1]):
            ops.append(("equal" if hyp[i - 1] == ref[j - 1] else "sub", i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and d[i][j] == d[i - 1][j] + 1:
            ops.append(("del", i - 1, j))
            i -= 1
        else:
            ops.append(("ins", i, j - 1))
            j -= 1
    return ops[::-1]


def plain_cost(guess: str, ref: str) -> int:
    cost = 1
    words = ref.split()
    for tag, _i, j in align(guess.split(), words):
        if tag in ("sub", "ins"):
            cost += len(words[j])
        elif tag == "del":
            cost += 1
    return cost


def _slot(sugg: Suggester, text: str, cursor: int, target: str, typed: bool = False) -> bool:
    """Whether a slot offered at (text, cursor) puts exactly `target` there (`typed`: the
    annotator has just typed the letter before the cursor)."""
    got = _offer(sugg, text, cursor, typed=typed)
    for n, word in enumerate(got.words, 1):
        if word == target:
            after = apply_word(text, got, n)
            return after is not None and after[0][got.start :].startswith(target)
    return False


def word_cost(
    sugg: Suggester, before: list[str], old: str | None, after: list[str], r: str
) -> Counter[str]:
    """Keys to turn `old` (None: nothing there) into `r` between the words before and after,
    as {"letters": typed, "slots": suggestions taken}."""
    head = " ".join(before) + (" " if before else "")
    tail = (" " + " ".join(after)) if after else ""
    if old is not None and _slot(sugg, head + old + tail, len(head), r):
        return Counter(slots=1)  # pointed at the word: one of its alternatives
    if old is None and before and _slot(sugg, head + " " + tail, len(head), r):
        return Counter(slots=1)  # between two words: one that usually follows
    for k in range(1, len(r)):
        if _slot(sugg, head + r[:k] + tail, len(head) + k, r, typed=True):
            return Counter(letters=k, slots=1)
    return Counter(letters=len(r))


def _run(ops: list[tuple[str, int, int]], n: int) -> int:
    """How many ops from n on replace or keep one guess word by one true word each, in
    order: the words a term typed at op n may take in one slot."""
    m = 1
    while n + m < len(ops):
        tag, i, j = ops[n + m]
        if tag not in ("sub", "equal") or (i, j) != (ops[n][1] + m, ops[n][2] + m):
            break
        m += 1
    return m


def phrase_cost(
    sugg: Suggester, before: list[str], hyp: list[str], targets: list[str]
) -> tuple[Counter[str], int] | None:
    """The cheapest way to write the first two or more of `targets` in place of as many
    guess words (`hyp`, from the one being replaced on) with one slot: a term of several
    words offered once k letters are typed, which takes the guess words after the typed one
    (`offer`'s `ends`). (keys, words written), or None."""
    head = " ".join(before) + (" " if before else "")
    r = targets[0]
    for k in range(1, len(r)):
        text = head + r[:k] + "".join(" " + w for w in hyp[1:])
        got = _offer(sugg, text, len(head) + k, typed=True)
        for n, word in enumerate(got.words, 1):
            m = len(word.split())
            if m < 2 or word.split() != targets[:m]:
                continue
            after = apply_word(text, got, n)
            if after is not None and after[0].split() == before + targets[:m] + hyp[m:]:
                return Counter(letters=k, slots=1), m
    return None


def edit_cost(sugg: Suggester, start: str, ref: str) -> Counter[str]:
    hyp, words = start.split(), ref.split()
    done: list[str] = []
    cost: Counter[str] = Counter()
    ops = align(hyp, words)
    n = 0
    while n < len(ops):
        tag, i, j = ops[n]
        rest = hyp[i + 1 :] if tag in ("sub", "del", "equal") else hyp[i:]
        if tag == "equal":
            done.append(hyp[i])
        elif tag == "del":
            cost["deletions"] += 1
        else:
            old = hyp[i] if tag == "sub" else None
            span = _run(ops, n) if tag == "sub" else 1
            term = phrase_cost(sugg, done, hyp[i:], words[j : j + span]) if span > 1 else None
            if term is not None:  # the term, if it costs less than its words one by one
                keys, m = term
                each: Counter[str] = Counter()
                so_far = list(done)
                for tag2, i2, j2 in ops[n : n + m]:
                    if tag2 == "sub":
                        each += word_cost(sugg, so_far, hyp[i2], hyp[i2 + 1 :], words[j2])
                    so_far.append(words[j2])
                if keys.total() < each.total():
                    cost += keys
                    done.extend(words[j : j + m])
                    n += m
                    continue
            cost += word_cost(sugg, done, old, rest, words[j])
            done.append(words[j])
        n += 1
    return cost


def tool_cost(sugg: Suggester, guess: str, alternatives: list[str], ref: str) -> Counter[str]:
    """The annotator's keys for one clip by kind: "start" (accept_asr, alternatives, the
    whole utterance), "letters", "slots", "deletions" and "submit"."""
    if guess.split() == ref.split():
        return Counter(start=1)  # accept_asr
    starts = [(guess, 0)] + [(alt, n) for n, alt in enumerate(alternatives, 1)]
    whole = apply_utterance(offer(sugg, guess, len(guess)))
    if whole is not None:
        starts.append((whole[0], 1))
    best: Counter[str] | None = None
    for text, keys in starts:
        cost = Counter(start=keys, submit=1)
        if text.split() != ref.split():
            cost += edit_cost(sugg, text, ref)
        if best is None or cost.total() < best.total():
            best = cost
    assert best is not None
    return best


def read_manifest(path: Path) -> list[tuple[str, str, list[str]]]:
    """(id, guess, alternatives) of each consenting line."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path} line {n}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or row.get("review_allowed", True) is not True:
            continue
        asr = row.get("asr", row.get("pred_text", ""))
        alts: list[str] = []
        if isinstance(asr, dict):
            alts = [a for a in asr.get("alternatives", []) if isinstance(a, str)]
            asr = asr.get("text", "")
        out.append((str(row.get("id", "")), str(asr or ""), alts))
    return out


def read_audio(path: Path) -> dict[str, Path]:
    """id -> audio file of each manifest line that names one that exists."""
    out: dict[str, Path] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and isinstance(row.get("audio"), str):
            audio = path.parent / row["audio"]
            if audio.is_file():
                out[str(row.get("id", ""))] = audio
    return out


class SecondListen:
    """The annotator's second listen (earmark.align.firstguess) and the audio's choice among
    the candidates (earmark.align.choose), one decoder each for the run."""

    def __init__(self) -> None:
        from earmark.align.choose import Chooser
        from earmark.align.firstguess import FreeDecoder, available

        ok = available()[0]
        self._decoder = FreeDecoder() if ok else None
        self._chooser = Chooser() if ok and not os.environ.get("KSR_NO_CHOICE") else None
        self._audio: tuple[Any, int] | None = None
        self._choices: dict[Choice, str | None] = {}

    def __call__(self, audio: Path | None) -> list[str]:
        """The clip's n-best hypotheses; its audio is the one `choose` then listens to."""
        self._audio, self._choices = None, {}
        if self._decoder is None or audio is None:
            return []
        from earmark.audio import load
        from earmark.suggest.heard import MAX_HYPOTHESES

        try:
            self._audio = load(str(audio))
        except Exception:  # noqa: BLE001  (an unreadable clip is measured without it)
            return []
        return self._decoder.hypotheses(*self._audio, MAX_HYPOTHESES)

    def choose(self, q: Choice) -> str | None:
        if self._chooser is None or self._audio is None:
            return None
        if q not in self._choices:
            samples, rate = self._audio
            self._choices[q] = self._chooser.choose(samples, rate, q.before, q.candidates, q.after)
        return self._choices[q]


def read_lexicon(path: Path | None) -> list[str]:
    if path is None:
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#")]


def measure(
    clips: list[tuple[str, str, list[str]]],
    refs: dict[str, str],
    lexicon: list[str],
    detail: list[str] | None = None,
    audio: dict[str, Path] | None = None,
) -> dict[str, float]:
    """The figures; `detail` (when given) gets one line per clip: where its keys went;
    `audio`: id -> the clip's audio, for the second listen."""
    sugg = Suggester(lexicon=lexicon, context_model=None if os.environ.get("KSR_NO_LM") else load())
    if not os.environ.get("KSR_NO_LM"):
        sugg.load_phonetic()
    global _chosen
    listen = SecondListen() if audio and not os.environ.get("KSR_NO_HEARD") else None
    _chosen = listen.choose if listen is not None else None
    tool = plain = count = 0
    for n, (cid, guess, alts) in enumerate(clips):
        ref = refs.get(cid)
        if ref is None:
            continue
        sugg.set_context(guess, alts)
        heard = listen((audio or {}).get(cid)) if listen is not None else []
        if heard:
            sugg.set_heard(Heard(guess, heard))
        p, keys = plain_cost(guess, ref), tool_cost(sugg, guess, alts, ref)
        plain += p
        tool += keys.total()
        count += 1
        if detail is not None:
            kinds = " ".join(f"{k} {keys[k]}" for k in KINDS if keys[k])
            mark = "\theard" if heard else ""
            detail.append(f"{cid}\tplain {p}\ttool {keys.total()}\t{kinds}{mark}")
        sugg.add_transcript(ref, clip=n, guess=guess)
    if not count:
        raise ValueError("no clip of the manifest has a reference")
    return {
        "ksr": round(1 - tool / plain, 4),
        "keys_per_clip": round(tool / count, 3),
        "plain_keys_per_clip": round(plain / count, 3),
        "clips": count,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("manifest", type=Path)
    ap.add_argument("references", type=Path)
    ap.add_argument("--lexicon", type=Path)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument(
        "--clips", action="store_true", help="also print where each clip's keys went (stderr)"
    )
    args = ap.parse_args(argv)
    detail: list[str] | None = [] if args.clips else None
    try:
        refs = json.loads(args.references.read_text(encoding="utf-8"))
        if not isinstance(refs, dict) or not all(isinstance(v, str) for v in refs.values()):
            raise ValueError(f"{args.references}: expected an object of id -> transcript")
        clips, lexicon = read_manifest(args.manifest), read_lexicon(args.lexicon)
        result = measure(clips, refs, lexicon, detail, read_audio(args.manifest))
    except (OSError, ValueError) as exc:
        print(f"ksr: {exc}", file=sys.stderr)
        return 2
    for line in detail or ():
        print(line, file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:20} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
