"""Overlap 2 on SQLite: two annotators' transcripts, agreement figures by hand, the final
transcript rule in exports, and a reviewer settling a disputed clip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from earmark import cli
from earmark.roles import PermissionDenied
from earmark.store import finals, open_store
from tests.support import LIBRI, needs_realdata, write_jsonl

pytestmark = needs_realdata

# clip index -> (ann's transcript, bob's); None is a skip
TEXTS = {
    0: ("the cat sat", "The cat sat."),
    1: ("a b c d", "a x c"),
    2: ("hello", None),
    3: ("same words", "same words"),
}


@pytest.fixture
def worked(tmp_path: Path, capsys) -> Path:
    wavs = sorted(LIBRI.glob("*.wav"))[:4]
    rows = [{"audio": str(w), "id": f"s{i}", "asr": f"guess {i}"} for i, w in enumerate(wavs)]
    m = write_jsonl(tmp_path / "m.jsonl", rows)
    db = tmp_path / "e.db"
    assert cli.main(["init", "--db", str(db), "--user", "lead"]) == 0
    args = ["import", str(m), "--db", str(db), "--user", "lead", "--overlap", "2"]
    assert cli.main([*args, "--audio-root", str(LIBRI)]) == 0
    capsys.readouterr()
    store = open_store(db)
    for who in ("ann", "bob"):
        store.grant_role("lead", who, "annotator")
    store.grant_role("lead", "rev", "reviewer")
    for k, who in enumerate(("ann", "bob")):
        for _ in range(4):
            cid = store.next_open(who, 0)
            assert cid is not None
            clip = store.clip(cid)
            assert clip is not None
            i = int(clip.asr.split()[1])
            text = TEXTS[i][k]
            if text is None:
                store.skip(cid, "no speech", who, 1.0)
            else:
                store.submit(cid, text, who, 1.0)
            if who == "ann" and i == 1:
                store.add_flag(cid, "critical", "ann")
        assert store.next_open(who, 0) is None
    store.close()
    return db


def test_agreement_figures_by_hand(worked: Path, capsys) -> None:
    """Pairs (ann, bob): clip 0 "the cat sat" / "The cat sat." 0 edits over 3 words; clip 1
    "a b c d" / "a x c" 2 edits over 3.5; clip 2 a skip (no pair); clip 3 0 over 2.
    pair WER 2 / 8.5 = 0.2353 for ann, bob, the batch and overall.
    Flags: ann critical on clip 1 only, bob none: observed 3/4, chance 3/4 x 4/4 = 3/4,
    Cohen's kappa (the same two annotators on every clip) = 0."""
    assert cli.main(["agreement", "--json", "--db", str(worked), "--user", "rev"]) == 0
    out = json.loads(capsys.readouterr().out)
    for who in ("ann", "bob"):
        assert out["annotators"][who]["pair_wer"] == pytest.approx(0.2353)
        assert out["annotators"][who]["gold_clips"] == 0
    assert out["overall"]["kappa_method"] == "cohen"
    assert out["overall"]["flag_kappa"] == pytest.approx(0.0)
    assert out["overall"]["overlapped_clips"] == 4
    worst = out["disagree_most"][0]
    assert worst["pair_wer"] == pytest.approx(0.5714) and not worst["flags_agree"]


def test_disputed_clips_wait_for_a_reviewer_and_exports_write_the_final_text(
    worked: Path, capsys
) -> None:
    store = open_store(worked)
    name = {int(c.asr.split()[1]): c.name for c in store.iter_clips()}
    index = {v: k for k, v in name.items()}
    disputed = {index[d.clip]: d for d in finals.disputed(store)}
    assert sorted(disputed) == [1, 2]
    one = disputed[1]
    store.close()

    def exported() -> dict[str, dict]:
        assert cli.main(["export", "--db", str(worked), "--user", "lead"]) == 0
        rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
        return {f"guess {index[r['clip']]}": r for r in rows}

    rows = exported()
    assert "guess 1" not in rows and "guess 2" not in rows  # disputed: not exported
    assert rows["guess 3"]["text"] == "same words" and rows["guess 3"]["status"] == "done"
    assert rows["guess 0"]["text"] in ("the cat sat", "The cat sat.")

    store = open_store(worked)
    with pytest.raises(PermissionDenied):
        store.set_final(one.clip_id, "a b c d", "ann")  # one of its annotators
    store.set_final(one.clip_id, "a b c", "rev")
    assert [d.clip_id for d in finals.disputed(store)] != [one.clip_id]
    store.close()
    rows = exported()
    assert rows["guess 1"]["text"] == "a b c"
    assert "guess 2" not in rows
