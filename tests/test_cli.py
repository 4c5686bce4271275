"""The command line's error discipline: one line on stderr, exit 2, never a traceback."""

import subprocess
import sys
from pathlib import Path

from earmark import cli
from earmark.errors import UserError


def _run(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "earmark", *args], capture_output=True, text=True, **kw
    )


def test_unknown_flag_is_one_line_exit_2():
    out = _run("stats", "--no-such-flag")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "--no-such-flag" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_choice_is_one_line_exit_2():
    out = _run("export", "--format", "xml")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "xml" in out.stderr


def test_user_error_becomes_one_line(monkeypatch, capsys):
    def boom(args):
        raise UserError("manifest x.jsonl: no such file\nsecond line never shown")

    monkeypatch.setitem(cli.COMMANDS, "stats", f"{__name__}:_boom")
    monkeypatch.setattr(sys.modules[__name__], "_boom", boom, raising=False)
    assert cli.main(["stats"]) == 2
    err = capsys.readouterr().err
    assert err == "earmark: manifest x.jsonl: no such file\n"


def test_internal_error_is_logged_not_shown(monkeypatch, capsys, tmp_path):
    def crash(args):
        raise ZeroDivisionError("oops")

    monkeypatch.setitem(cli.COMMANDS, "stats", f"{__name__}:_crash")
    monkeypatch.setattr(sys.modules[__name__], "_crash", crash, raising=False)
    assert cli.main(["stats"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" in err and "Traceback" not in err
    log = err.rsplit("details in ", 1)[1].rstrip(")\n")
    assert "ZeroDivisionError" in Path(log).read_text()
    assert Path(log).stat().st_mode & 0o777 == 0o600  # tracebacks may quote clip text


def test_no_command_prints_help():
    out = _run()
    assert out.returncode == 2 and "COMMAND" in out.stdout
