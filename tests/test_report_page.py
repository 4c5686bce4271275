"""`earmark report`: the page in a real browser (headless Chromium over DevTools, network
off), hostile names, leads only, and the one line when pygal is missing."""

from __future__ import annotations

import json
import stat
import sys
import time

import pytest

from earmark.cli import main
from earmark.clock import FakeClock
from earmark.store import open_store
from tests import browser, report_case

HOSTILE_BATCH = "<script>window.__pwned=1</script>=cmd|' /C calc'!A0\x1b[31mred\x1b]0;t\x07"
ANN = "</svg><script>window.__pwned=2</script>"
BOB = "=cmd|'/C_calc'!A0"

COUNT = """JSON.stringify({
  sections: Object.fromEntries([...document.querySelectorAll('section')].map(s => [s.id, {
    charts: s.querySelectorAll('svg.pygal-chart').length,
    marks: [...s.querySelectorAll('svg.pygal-chart .series .reactive')].filter(e => {
      const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length,
    text: s.innerText.slice(0, 2000)}])),
  pwned: window.__pwned === undefined ? null : window.__pwned,
  scripts: document.querySelectorAll('script').length,
  body: document.body.innerText})"""


def _project(db_path, batch: str = "b1") -> None:
    s = open_store(db_path, clock=FakeClock(time.time() - 8 * 3600))
    report_case.build(s, s, s, lead_name="boss", ann_name=ANN, bob_name=BOB, batch=batch)
    s.close()


def _report(db_path, out, *extra: str) -> int:
    return main(["report", "--db", str(db_path), "--out", str(out), *extra])


@pytest.mark.skipif(
    browser.CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)"
)
def test_charts_are_drawn_offline_and_hostile_names_stay_text(db_path, tmp_path, capsys) -> None:
    _project(db_path, HOSTILE_BATCH)
    out = tmp_path / "report.html"
    assert _report(db_path, out, "--user", "boss") == 0
    assert "wrote" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    raw = out.read_text(encoding="utf-8")
    assert "\x1b" not in raw and "\x07" not in raw and "<script" not in raw.lower()
    page = browser.render(out, COUNT)
    assert page.requests == [out.resolve().as_uri()]  # nothing fetched but the file itself
    assert page.console == []
    got = json.loads(page.value)
    assert got["pwned"] is None and got["scripts"] == 0
    sections = got["sections"]
    for key in ("throughput", "time-on-task", "asr-wer", "escalations", "exposure"):
        assert sections[key]["charts"] == 1, key
        assert sections[key]["marks"] >= 1, (key, sections[key])
    assert sections["throughput"]["marks"] >= 3  # ann's two hours and bob's
    for key in ("gold", "agreement", "reviews"):
        assert sections[key]["charts"] == 0 and "No data yet" in sections[key]["text"]
    body = got["body"]
    assert "<script>window.__pwned=1</script>=cmd|" in body  # shown as the text it is
    assert ANN in body and BOB in body


def test_only_a_lead_gets_the_report_and_the_project_is_never_overwritten(
    db_path, tmp_path, capsys
) -> None:
    _project(db_path)
    out = tmp_path / "r.html"
    assert _report(db_path, out, "--user", "bob") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "only a lead" in err and not out.exists()
    assert _report(db_path, db_path, "--user", "boss") == 2
    assert "database" in capsys.readouterr().err
    mine = tmp_path / "notes.html"
    mine.write_text("my own notes\n")
    assert _report(db_path, mine, "--user", "boss") == 2
    assert "not an earmark report" in capsys.readouterr().err
    assert mine.read_text() == "my own notes\n"
    assert _report(db_path, out, "--user", "boss") == 0
    assert _report(db_path, out, "--user", "boss") == 0  # an earlier report is replaced
    assert _report(db_path, out, "--user", "boss", "--days", "0") == 2


def test_without_pygal_one_line_says_what_to_install(db_path, tmp_path, monkeypatch, capsys):
    _project(db_path)
    monkeypatch.setitem(sys.modules, "pygal", None)  # import pygal raises ImportError
    assert _report(db_path, tmp_path / "r.html", "--user", "boss") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'earmark[report]'" in err
