"""Redaction marks are words with their occurrence, re-anchored on the final text."""

from __future__ import annotations

import json

import numpy as np
import soundfile as sf

from earmark import redaction
from earmark.importing import import_manifests
from earmark.redaction import Mark, marks_from_indexes


def test_marks_are_normalised_words_with_their_occurrence():
    words = ["Four", "four,", "one", "two", "FOUR"]
    assert marks_from_indexes(words, [1, 4, 99, -1]) == [Mark("four", 1), Mark("four", 2)]
    assert marks_from_indexes(["...", "x"], [0]) == []  # punctuation alone marks nothing


def test_unanchored_names_marked_words_the_text_no_longer_has():
    marks = marks_from_indexes(["name", "zebulon", "quartermaine"], [1, 2])
    assert redaction.unanchored(marks, "my name Zebulon quartermaine.") == []
    assert redaction.unanchored(marks, "my name zebulun quartermaine") == ["zebulon"]
    assert redaction.unanchored(marks, "") == ["quartermaine", "zebulon"]
    assert redaction.unanchored([], "anything") == []


def test_apply_hides_every_occurrence():
    marks = marks_from_indexes(["card", "four", "four", "one"], [1])
    text = "card four four one and Four."
    assert redaction.apply(text, {m.word: "bank" for m in marks}) == (
        "card [redacted:bank] [redacted:bank] one and [redacted:bank]"
    )
    assert redaction.indexes(marks, text) == [1, 2, 5]


def test_stored_form_round_trips_and_malformed_is_dropped():
    marks = [Mark("zebulon", 0), Mark("four", 2)]
    assert redaction.loads(redaction.dumps(marks)) == sorted(marks)
    assert redaction.dumps([]) is None
    for raw in ("not json", '{"a": 1}', '[["x"], [1, 2], ["", 0], ["ok", 0]]', None, ""):
        assert all(isinstance(m, Mark) for m in redaction.loads(raw))
    assert redaction.loads('[["x"], [1, 2], ["", 0], ["ok", 0]]') == [Mark("ok", 0)]


def test_words_of_flagged_clips_never_feed_the_suggester(store, tmp_path):
    sf.write(tmp_path / "a.wav", np.zeros(1600, dtype="float32"), 16000)
    rows = [{"audio": "a.wav", "id": str(i)} for i in range(2)]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    import_manifests(store, [tmp_path / "m.jsonl"])
    store.submit(1, "call zebulon quartermaine please", "ann", 3.0)
    store.submit(2, "turn the lights off", "ann", 3.0)
    flag = store.add_flag(1, "critical", "ann", start=0.0, end=1.0, category="other")
    store.set_redaction(flag, [Mark("zebulon"), Mark("quartermaine")], actor="ann")
    learned = " ".join(store.submitted_texts())
    assert "zebulon" not in learned and "quartermaine" not in learned
    assert "lights" in learned


def test_the_audit_log_counts_marks_and_never_names_them(store, tmp_path):
    sf.write(tmp_path / "a.wav", np.zeros(1600, dtype="float32"), 16000)
    (tmp_path / "m.jsonl").write_text(json.dumps({"audio": "a.wav"}) + "\n")
    import_manifests(store, [tmp_path / "m.jsonl"])
    flag = store.add_flag(1, "critical", "ann", start=0.0, end=1.0)
    store.set_redaction(flag, [Mark("zebulon"), Mark("quartermaine")], actor="ann")
    entry = store.audit_entries()[-1]
    assert entry.action == "flag_redaction" and json.loads(entry.detail)["redact_words"] == 2
    assert "zebulon" not in entry.detail
    assert store.redaction_marks(flag) == [Mark("quartermaine"), Mark("zebulon")]
    # what the session asks at submit: the marks of the clip, against the text to submit
    marks = store.redaction_marks_for_clip(1)
    assert redaction.unanchored(marks, "my name is zebulon quartermaine") == []
    assert redaction.unanchored(marks, "my name is zebulun quartermaine") == ["zebulon"]
    store.add_flag(1, "critical", "ann", start=0.0, end=1.0)  # a flag without marks
    assert store.redaction_marks_for_clip(1) == marks


def test_marked_words_never_enter_the_suggestion_index(store, tmp_path):
    sf.write(tmp_path / "a.wav", np.zeros(1600, dtype="float32"), 16000)
    rows = [{"audio": "a.wav", "id": str(i)} for i in range(2)]
    (tmp_path / "m.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    import_manifests(store, [tmp_path / "m.jsonl"])

    def index() -> set[str]:
        return {w for w, _, _ in store.offerable_words(1, 1000)}

    # flagged first, submitted and learned after
    flag = store.add_flag(1, "critical", "ann", start=0.0, end=1.0)
    store.set_redaction(flag, [Mark("zebulon"), Mark("josé")], actor="ann")
    store.learn_words(1, [("call", "call"), ("zebulon", "Zebulon"), ("jose", "José")])
    assert index() == {"call"}
    # learned first, marked after: the marked words leave the index
    store.learn_words(2, [("hello", "hello"), ("quartermaine", "quartermaine")])
    assert "quartermaine" in index()
    flag = store.add_flag(2, "critical", "ann", start=0.0, end=1.0)
    store.set_redaction(flag, [Mark("quartermaine")], actor="ann")
    assert index() == {"call", "hello"}
