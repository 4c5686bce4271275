"""The lead's report figures on SQLite, against a hand-worked case (tests/report_case.py)."""

from __future__ import annotations

import datetime as dt
import json
import time

from earmark.cli import main
from earmark.reporting.figures import compute
from tests import report_case


def test_figures_match_the_hand_worked_case(store) -> None:
    report_case.build(store, store, store)
    report_case.check(compute(store, tz=dt.UTC))


def test_window_leaves_out_older_hours(store) -> None:
    report_case.build(store, store, store)
    store.clock.advance(20 * 86400)
    f = compute(store, days=14, tz=dt.UTC)
    assert f["throughput"] == {} and f["exposure_minutes"] == {}
    assert f["time_on_task"]["ann"]["done"] == 3  # totals are not windowed
    assert f["gold"] is None and f["agreement"] is None and f["reviews"] is None


def test_stats_json_carries_the_figures_for_a_lead_only(db_path, capsys) -> None:
    from earmark.clock import FakeClock
    from earmark.store import open_store

    s = open_store(db_path, clock=FakeClock(time.time() - 6 * 3600))
    report_case.build(s, s, s, lead_name="boss")
    s.close()
    assert main(["stats", "--json", "--db", str(db_path), "--user", "boss"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["done"] == 4 and out["clips"] == 7  # the contract's keys stay
    rep = out["report"]
    assert rep["time_on_task"]["ann"]["done"] == 3
    assert rep["asr_wer_by_batch"]["b1"]["wer"] == round(2 / 11, 4)
    assert main(["stats", "--json", "--db", str(db_path), "--user", "ann"]) == 0
    assert json.loads(capsys.readouterr().out)["report"] is None
