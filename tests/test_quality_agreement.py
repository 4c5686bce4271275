"""Agreement figures and kappas on constructed cases whose answers are computed by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from earmark.quality.agreement import GoldResult, Rating, batch_kappa, report
from earmark.quality.final import Transcript, Verdict, decide
from earmark.quality.gold import GoldRef, GoldScore, GoldTally, score
from earmark.quality.kappa import cohen, fleiss


def test_cohen_kappa_by_hand() -> None:
    """Ten items, rater A says yes on 1-5, rater B yes on 1-4 and 6.
    Observed agreement: items 1-4 yes/yes, 7-10 no/no = 8/10 = 0.8.
    Chance: A yes 5/10, B yes 5/10 -> 0.25 + 0.25 = 0.5.
    kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6."""
    a = ["y"] * 5 + ["n"] * 5
    b = ["y"] * 4 + ["n", "y"] + ["n"] * 4
    assert cohen(list(zip(a, b, strict=True))) == pytest.approx(0.6)


def test_fleiss_kappa_by_hand() -> None:
    """Four items, three labels each: [a,a,a], [a,a,b], [b,b,b], [a,b,b].
    Per item P_i = (sum n_ij^2 - 3) / 6: 1, (4+1-3)/6 = 1/3, 1, 1/3; mean P = 2/3.
    Category shares: a = 6/12, b = 6/12 -> chance = 0.5.
    kappa = (2/3 - 1/2) / (1/2) = 1/3."""
    items = [["a", "a", "a"], ["a", "a", "b"], ["b", "b", "b"], ["a", "b", "b"]]
    assert fleiss(items) == pytest.approx(1 / 3)


def test_kappa_when_everything_is_one_label_is_perfect() -> None:
    assert cohen([("none", "none")] * 3) == 1.0
    assert fleiss([["none"] * 3] * 2) == 1.0
    assert cohen([]) is None and fleiss([]) is None
    with pytest.raises(ValueError):
        fleiss([["a", "b"], ["a"]])


labels = st.sampled_from(["none", "critical", "distressing"])


@given(st.lists(st.tuples(labels, labels), min_size=1, max_size=30))
def test_cohen_is_symmetric_in_its_raters(pairs: list[tuple[str, str]]) -> None:
    assert cohen(pairs) == pytest.approx(cohen([(b, a) for a, b in pairs]))


@given(st.lists(labels, min_size=1, max_size=30))
def test_identical_ratings_have_kappa_one(ratings: list[str]) -> None:
    assert cohen([(r, r) for r in ratings]) == pytest.approx(1.0)
    assert fleiss([[r, r, r] for r in ratings]) == pytest.approx(1.0)


@given(st.lists(st.lists(labels, min_size=3, max_size=3), min_size=1, max_size=20))
def test_fleiss_does_not_depend_on_label_order_within_an_item(items: list[list[str]]) -> None:
    assert fleiss(items) == pytest.approx(fleiss([list(reversed(i)) for i in items]))


def _r(clip: int, who: str, text: str | None, *flags: str, batch: str = "b1") -> Rating:
    return Rating(clip, f"clip{clip}", batch, who, text, tuple(flags))


def test_pair_wer_per_clip_annotator_and_batch_by_hand() -> None:
    """Clip 1: ann "the cat sat" / bob "the cat sat": 0 edits, mean words 3.
    Clip 2: ann "a b c d" / bob "a x c": 2 edits (x for b, d deleted), mean words 3.5.
    Clip 3: ann, bob and cid: "one two" / "one two" / "one"; pairs ann-bob 0 edits (2 words),
    ann-cid 1 edit (1.5), bob-cid 1 edit (1.5).
    ann: edits 0+2+0+1 = 3 over 3+3.5+2+1.5 = 10 words -> 0.3.
    cid: edits 1+1 = 2 over 1.5+1.5 = 3 -> 0.6667.
    Batch: edits 0+2+0+1+1 = 4 over 3+3.5+2+1.5+1.5 = 11.5 -> 0.3478.
    Clip 2 disagrees most (2/3.5 = 0.5714), then clip 3 (2/5 = 0.4)."""
    ratings = [
        _r(1, "ann", "the cat sat"),
        _r(1, "bob", "The cat, sat."),
        _r(2, "ann", "a b c d"),
        _r(2, "bob", "a x c"),
        _r(3, "ann", "one two"),
        _r(3, "bob", "one two"),
        _r(3, "cid", "one"),
    ]
    out = report(ratings, [])
    assert out["annotators"]["ann"]["pair_wer"] == pytest.approx(0.3)
    assert out["annotators"]["cid"]["pair_wer"] == pytest.approx(0.6667)
    assert out["batches"]["b1"]["pair_wer"] == pytest.approx(0.3478)
    assert [c["clip"] for c in out["disagree_most"]] == ["clip2", "clip3"]
    assert out["clips"][0]["pair_wer"] == pytest.approx(0.5714)
    # two labels on clips 1-2, three on clip 3: Fleiss' over the two-label clips
    assert out["overall"]["kappa_method"] == "fleiss"
    assert out["overall"]["kappa_clips"] == 2


def test_skips_take_no_part_in_pair_wer_but_count_as_labels() -> None:
    out = report([_r(1, "ann", "hello"), _r(1, "bob", None)], [])
    assert out["annotators"]["ann"]["pair_wer"] is None
    assert out["clips"][0]["skipped"] == 1


def test_cohen_for_a_batch_done_by_the_same_two_annotators() -> None:
    """Four clips by ann and bob; labels ann: c, none, none, none; bob: c, c, none, none.
    Observed 3/4; chance: ann c 1/4, bob c 2/4 -> 1/8 + 3/4*2/4 = 1/2; kappa = 0.5."""
    ratings = []
    for clip, (fa, fb) in enumerate([("c", "c"), ("", "c"), ("", ""), ("", "")]):
        ratings += [
            _r(clip, "ann", "x", *([fa] if fa else [])),
            _r(clip, "bob", "x", *([fb] if fb else [])),
        ]
    kappa, method, used = batch_kappa([[r for r in ratings if r.clip_id == i] for i in range(4)])
    assert method == "cohen" and used == 4
    assert kappa == pytest.approx(0.5)
    out = report(ratings, [])
    assert out["pairs"][0]["flag_kappa"] == pytest.approx(0.5)


def test_gold_scores_per_annotator_by_hand() -> None:
    """ann answered two gold clips: reference "the quick brown fox" vs "the quick fox"
    (1 edit of 4) and "hello world" vs "hello world" (0 of 2), flags right on both:
    gold WER 1/6. bob skipped one (no words) with the wrong flags: WER none, flags 0%."""
    ref1, ref2 = GoldRef("the quick brown fox"), GoldRef("hello world", ("critical",))
    gold = [
        GoldResult("ann", "b1", score(ref1, "the quick fox", []), False),
        GoldResult("ann", "b1", score(ref2, "Hello, world!", ["critical"]), False),
        GoldResult("bob", "b1", score(ref2, None, []), True),
    ]
    out = report([], gold)
    assert out["annotators"]["ann"]["gold_clips"] == 2
    assert out["annotators"]["ann"]["gold_wer"] == pytest.approx(1 / 6, abs=1e-4)
    assert out["annotators"]["ann"]["gold_flag_agreement"] == 1.0
    assert out["annotators"]["bob"]["gold_wer"] is None
    assert out["annotators"]["bob"]["gold_flag_agreement"] == 0.0
    assert out["batches"]["b1"]["gold_clips"] == 3


def test_gold_score_of_one_answer() -> None:
    assert score(GoldRef("a b c", ("critical",)), "a b", ["critical", "junk"]) == GoldScore(
        1, 3, True
    )
    assert score(GoldRef("a b c"), "a b c", ["distressing"]).flags_agree is False
    t = GoldTally()
    t.add(GoldScore(0, 0, True), skipped=True)
    assert t.wer is None and t.flag_agreement == 1.0


def _t(who: str, text: str | None, at: float) -> Transcript:
    return Transcript(who, text, at)


def test_final_transcript_rule() -> None:
    # same words once case and punctuation are set aside: final, the most common exact text
    assert decide(
        [_t("a", "Hello there.", 2), _t("b", "hello there", 1), _t("c", "hello there", 3)]
    ) == Verdict("final", "hello there")
    # a tie on exact text: the earliest submitted
    assert decide([_t("a", "Hi, you", 5), _t("b", "hi you", 4)]) == Verdict("final", "hi you")
    assert decide([_t("a", "hello there", 1), _t("b", "hello their", 2)]).state == "disputed"
    assert decide([_t("a", "hello", 1), _t("b", None, 2)]).state == "disputed"
    assert decide([_t("a", None, 1), _t("b", None, 2)]).state == "skipped"
    assert decide([_t("a", "alone", 1)]) == Verdict("final", "alone")
