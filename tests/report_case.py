"""One small project with known figures, built the same way on both backends.

Times follow the store's clock from 1_800_000_000 (the start of a UTC hour): ann submits
two clips in the first hour and one in the second, bob skips one, flags another distressing
and leaves it (handed back), and submits one clip of the second batch; two escalations.
The expected figures, worked out by hand, are checked by `check`. Escalating a clip and leaving
it unfinished counts as handing it back (ann's c5).
"""

from __future__ import annotations

from earmark.store import NewClip

T0 = 1_800_000_000.0
H0 = "2027-01-15 08:00"
H1 = "2027-01-15 09:00"


def build(
    lead,
    ann,
    bob,
    *,
    lead_name="lead",
    ann_name="ann",
    bob_name="bob",
    claim=None,
    batch="b1",
) -> dict[str, int]:
    """`lead`, `ann`, `bob` are stores acting as those users (one store on SQLite).
    `claim(store, name, clip_id)` opens a clip for a user where the backend needs it."""
    lead.ensure_user(lead_name)  # on SQLite the first user is the lead
    b1 = lead.batch_id(batch)
    lead.add_clips(
        b1,
        [
            NewClip(name="c0", audio="/a/0.wav", asr="turn of the lights", duration=8.0),
            NewClip(name="c1", audio="/a/1.wav", asr="play jazz", duration=4.0),
            NewClip(name="c2", audio="/a/2.wav", asr="what time is it", duration=4.0),
            NewClip(name="c3", audio="/a/3.wav", asr="call mom", duration=4.0),
            NewClip(name="c4", audio="/a/4.wav", asr="help me", duration=40.0),
            NewClip(name="c5", audio="/a/5.wav", asr="go away", duration=4.0),
        ],
    )
    b2 = lead.batch_id("b2 <i>")
    lead.add_clips(b2, [NewClip(name="c6", audio="/a/6.wav", asr="one two", duration=4.0)])
    ids = {c.name: c.id for c in lead.iter_clips()}
    clock = lead.clock

    def start(store, name, clip):
        (claim or (lambda s, n, c: s.start_clip(c, n)))(store, name, ids[clip])

    start(ann, ann_name, "c0")
    ann.log_play(ann_name, ids["c0"], 0.0, 4.0, 1.0)  # 4 s of listening
    ann.log_play(ann_name, ids["c0"], 2.0, 6.0, 2.0)  # 2 s more (4 s of audio at 2x)
    ann.submit(ids["c0"], "turn off the lights", ann_name, 60.0)  # 1 edit / 4 words
    clock.advance(100)
    start(ann, ann_name, "c1")
    ann.submit(ids["c1"], "play jazz", ann_name, 30.0)  # 0 / 2
    start(bob, bob_name, "c3")
    bob.skip(ids["c3"], "no speech", bob_name, 10.0)
    start(bob, bob_name, "c4")
    bob.log_play(bob_name, ids["c4"], 0.0, 30.0, 1.0)
    bob.add_flag(ids["c4"], "distressing", bob_name)  # left unfinished: handed back
    clock.advance(3600)
    start(ann, ann_name, "c2")
    ann.submit(ids["c2"], "what time is it now", ann_name, 45.0)  # 1 / 5
    start(bob, bob_name, "c6")
    bob.submit(ids["c6"], "one two three", bob_name, 20.0)  # 1 / 3
    first = ann.raise_escalation(ids["c5"], ann_name, tier="imminent", category="other")
    clock.advance(300)
    lead.acknowledge_escalation(first, lead_name)
    clock.advance(300)
    lead.resolve_escalation(first, lead_name, "no_action")
    ann.raise_escalation(ids["c5"], ann_name, tier="urgent", category="other")
    clock.advance(5 * 3600)  # the urgent one is now overdue
    return ids


def check(f: dict, ann: str = "ann", bob: str = "bob") -> None:
    """The hand-worked figures (`f` is reporting.figures.compute(..., tz=UTC))."""
    th = f["throughput"]
    assert th[ann] == {
        H0: {"clips": 2, "seconds": 90.0, "skipped": 0},
        H1: {"clips": 1, "seconds": 45.0, "skipped": 0},
    }
    assert th[bob][H0] == {"clips": 0, "seconds": 0.0, "skipped": 1}
    assert th[bob][H1]["clips"] == 1
    task = f["time_on_task"]
    a, b = task[ann], task[bob]
    assert (a["done"], a["seconds_on_task"], a["listening_seconds"]) == (3, 135.0, 6.0)
    assert a["seconds_per_clip"] == 45.0 and a["clips_per_hour"] == 80.0
    assert a["excluded"] == {"skipped": 0, "skipped_seconds": 0.0, "handed_back": 1}  # c5
    assert (b["done"], b["seconds_on_task"], b["seconds_per_clip"]) == (1, 20.0, 20.0)
    assert b["excluded"] == {"skipped": 1, "skipped_seconds": 10.0, "handed_back": 1}
    assert f["asr_wer_by_batch"] == {
        "b1": {"done": 3, "wer": round(2 / 11, 4)},
        "b2 <i>": {"done": 1, "wer": round(1 / 3, 4)},
    }
    imminent, urgent = f["escalations"]["imminent"], f["escalations"]["urgent"]
    assert imminent["median_ack_minutes"] == 5.0 and imminent["median_resolve_minutes"] == 10.0
    assert imminent["median_allowed_minutes"] == 15.0 and imminent["resolved_late"] == 0
    assert (urgent["count"], urgent["resolved"], urgent["overdue_now"]) == (1, 0, 1)
    assert urgent["median_allowed_minutes"] == 240.0
    assert f["exposure_minutes"] == {bob: {"2027-01-15": 0.5}}
